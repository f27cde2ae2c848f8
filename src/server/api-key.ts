import { createHash, timingSafeEqual } from 'node:crypto';
import { SiftError } from '../errors.js';

/**
 * Checks an `Authorization: Bearer <key>` header against the server's key in constant time: both
 * sides are hashed to 32-byte SHA-256 digests first, so `timingSafeEqual` compares equal lengths and
 * the time taken says nothing about the key's length or its first wrong byte.
 *
 * @example
 * checkBearer('Bearer s3cret', 's3cret') // passes
 * checkBearer(undefined, 's3cret')       // throws SiftError UNAUTHORIZED
 */
export function checkBearer(header: string | null | undefined, apiKey: string): void {
  const match = /^Bearer\s+(.+)$/i.exec(header?.trim() ?? '');
  if (!match) {
    throw new SiftError('UNAUTHORIZED', 'this server needs an API key: send the header "Authorization: Bearer <key>"');
  }
  if (!timingSafeEqual(digest(match[1]!.trim()), digest(apiKey))) {
    throw new SiftError('UNAUTHORIZED', 'the API key is not valid for this server');
  }
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/** True for addresses only this machine can reach: `localhost`, 127.0.0.0/8, `::1`. */
export function isLoopbackHost(host: string): boolean {
  const h = host
    .trim()
    .toLowerCase()
    .replace(/^\[(.*)\]$/, '$1');
  return (
    h === 'localhost' ||
    h === '::1' ||
    h === '0:0:0:0:0:0:0:1' ||
    /^127(\.\d{1,3}){3}$/.test(h) ||
    /^::ffff:127(\.\d{1,3}){3}$/.test(h)
  );
}

/**
 * Refuses to serve without an API key on any address other machines can reach (`0.0.0.0`, `::`, a
 * LAN address): the server reads the user's documents and spends their CPU.
 *
 * @example
 * checkBindAddress('127.0.0.1', undefined) // fine
 * checkBindAddress('0.0.0.0', undefined)   // throws INVALID_OPTION naming --api-key and SIFT_API_KEY
 */
export function checkBindAddress(host: string, apiKey: string | undefined): void {
  if (apiKey !== undefined && apiKey.length === 0) {
    throw new SiftError(
      'INVALID_OPTION',
      'the API key is empty; give `apiKey` a value (or unset SIFT_API_KEY to serve loopback without a key)',
      {
        details: { option: 'apiKey' },
      },
    );
  }
  if (apiKey === undefined && !isLoopbackHost(host)) {
    throw new SiftError(
      'INVALID_OPTION',
      `\`host\` ${host} can be reached from other machines, so an API key is required: pass \`apiKey\` <key> or set SIFT_API_KEY ` +
        '(clients then send "Authorization: Bearer <key>"), or bind 127.0.0.1',
      { details: { host, option: 'apiKey' } },
    );
  }
}

/**
 * Without a key, a loopback server answers only requests addressed to a loopback name: a page that
 * rebinds its own DNS name to 127.0.0.1 (DNS rebinding) would otherwise read the user's search
 * results through the browser. The `Host` header names what the browser thinks it is talking to.
 */
export function checkLoopbackHostHeader(hostHeader: string | null | undefined): void {
  const name = (hostHeader ?? '').replace(/:\d+$/, '');
  if (!isLoopbackHost(name)) {
    throw new SiftError(
      'UNAUTHORIZED',
      `this server has no API key and answers only requests to localhost or 127.0.0.1, not to "${hostHeader ?? ''}"; start it with --api-key to serve other names`,
    );
  }
}
