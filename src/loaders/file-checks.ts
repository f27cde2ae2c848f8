import { SiftError } from '../errors.js';
import type { SkipReason } from './loaded-document.js';

/** A LOAD_FAILED error whose `details.reason` says why, for the ingest summary. */
export function loadError(path: string, reason: SkipReason, message: string, cause?: unknown): SiftError {
  return new SiftError('LOAD_FAILED', `${path}: ${message}`, { cause, details: { path, reason } });
}

/** The skip reason of a LOAD_FAILED error, or `unreadable` for anything else. */
export function skipReasonOf(err: unknown): SkipReason {
  if (err instanceof SiftError && typeof err.details?.reason === 'string') return err.details.reason as SkipReason;
  return 'unreadable';
}

/**
 * True when the bytes look binary: a NUL byte within the first 8 KiB. Text formats never contain NUL;
 * this is the test git and grep use, and it is cheap.
 */
export function looksBinary(bytes: Uint8Array): boolean {
  const end = Math.min(bytes.length, 8192);
  for (let i = 0; i < end; i++) if (bytes[i] === 0) return true;
  return false;
}

/**
 * Decodes UTF-8 strictly (a byte-order mark is dropped). Invalid sequences are refused rather than
 * replaced with U+FFFD, because a silently mangled document would be indexed with wrong words.
 */
export function decodeUtf8(bytes: Uint8Array, path: string): string {
  if (bytes.length === 0) throw loadError(path, 'empty', 'file is empty');
  if (looksBinary(bytes)) throw loadError(path, 'binary', 'file looks binary (contains NUL bytes)');
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch (err) {
    throw loadError(
      path,
      'invalid-utf8',
      'file is not valid UTF-8; convert it (e.g. `iconv -t UTF-8`) and ingest again',
      err,
    );
  }
}

/** Refuses text that is empty once whitespace is removed. */
export function requireText(text: string, path: string, what = 'no text'): string {
  if (text.trim().length === 0) throw loadError(path, 'no-text', what);
  return text;
}
