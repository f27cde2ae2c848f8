import type { z } from 'zod';
import { SiftError } from '../errors.js';
import { HttpError } from './http-error.js';

/**
 * Reads a request body as JSON and validates it against a schema. Failures name the field at fault:
 * 415 unless `Content-Type: application/json` (which also makes cross-site pages send a CORS
 * preflight this server never approves, so they cannot drive a loopback server), 413 past
 * `limitBytes` (checked on `Content-Length` and again while streaming), 400 for malformed JSON and
 * for each schema failure.
 *
 * @example
 * const body = await readJsonBody(request, z.object({ query: z.string() }), 1_048_576);
 * // body: { query: '...' }; '{"query": 1}' -> SiftError INVALID_INPUT 'sift: query must be a string, got 1'
 */
export async function readJsonBody<S extends z.ZodType>(
  request: Request,
  schema: S,
  limitBytes: number,
): Promise<z.output<S>> {
  const type = request.headers.get('content-type') ?? '';
  if (!/^application\/([a-z0-9.+-]+\+)?json\s*(;|$)/i.test(type)) {
    throw new HttpError(
      'UNSUPPORTED_MEDIA_TYPE',
      `the body must be JSON sent with Content-Type: application/json, got ${type ? `"${type}"` : 'no Content-Type'}`,
    );
  }
  const text = await readText(request, limitBytes);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new SiftError('INVALID_INPUT', `the body is not valid JSON: ${(err as Error).message}`, {
      details: { field: 'body' },
    });
  }
  const parsed = schema.safeParse(value, { reportInput: true });
  if (parsed.success) return parsed.data;
  const issue = closestIssue(parsed.error.issues[0]!);
  const field = fieldName(issue.path);
  const message = issue.code === 'invalid_type' && issue.input === undefined ? 'is required' : issue.message;
  const got = issue.input === undefined ? '' : `, got ${preview(issue.input)}`;
  throw new SiftError('INVALID_INPUT', `${field} ${message}${got}`, { details: { field } });
}

async function readText(request: Request, limitBytes: number): Promise<string> {
  const declared = Number(request.headers.get('content-length') ?? NaN);
  const tooLarge = () =>
    new HttpError(
      'PAYLOAD_TOO_LARGE',
      `the body is over the server's ${limitBytes}-byte limit; send fewer or shorter documents`,
    );
  if (declared > limitBytes) throw tooLarge();
  if (!request.body) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  // The DOM lib is not loaded, so Node's Request types its body's chunks as `any`; they are bytes.
  const reader = (request.body as ReadableStream<Uint8Array>).getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limitBytes) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge();
    }
    chunks.push(value);
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(chunks));
  } catch {
    throw new SiftError('INVALID_INPUT', 'the body is not valid UTF-8 text', { details: { field: 'body' } });
  }
}

type Issue = z.core.$ZodIssue;

/**
 * For a value that matched no branch of a union (a document that is neither a string nor a `{text}`
 * object), the branch whose type did match explains the failure best ("documents[2] must be at most
 * 32768 characters" rather than "must be a string or an object").
 */
function closestIssue(issue: Issue): Issue {
  if (issue.code !== 'invalid_union') return issue;
  for (const branch of issue.errors) {
    const first = branch[0];
    if (first && !(first.code === 'invalid_type' && first.path.length === 0)) {
      return closestIssue({ ...first, path: [...issue.path, ...first.path] });
    }
  }
  return issue;
}

/** `["documents", 3, "text"]` -> `documents[3].text`. */
function fieldName(path: readonly PropertyKey[]): string {
  if (path.length === 0) return 'the body';
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`)).join('');
}

function preview(value: unknown): string {
  let json: string;
  try {
    json = JSON.stringify(value) ?? String(value);
  } catch {
    // JSON.parse accepts nesting JSON.stringify cannot print again (100k nested arrays overflow the stack).
    json = Array.isArray(value) ? 'a deeply nested array' : 'a deeply nested object';
  }
  return json.length > 60 ? `${json.slice(0, 57)}...` : json;
}
