import { renameOptions, SiftError, type SiftErrorCode } from '../errors.js';
import { HttpError } from './http-error.js';

/** The JSON body of every error response. */
export interface ErrorBody {
  error: { code: string; message: string; details?: Record<string, unknown> };
}

export interface ErrorResponse {
  status: number;
  body: ErrorBody;
  headers: Record<string, string>;
  /** True for failures the server did not expect (bugs, crashed runtime): these are logged. */
  unexpected: boolean;
}

/**
 * The HTTP status of each SiftError code: the only place the mapping lives. Client mistakes are 4xx;
 * a model or store that cannot be used is 503 (the server is up but cannot serve); a failing
 * upstream (LLM, remote reranker) is 502/504; our own faults are 500.
 */
export function statusForCode(code: SiftErrorCode): number {
  switch (code) {
    case 'INVALID_INPUT':
    case 'INVALID_OPTION':
    case 'QUERY_TOO_LONG':
    case 'UNKNOWN_MODEL':
      return 400;
    case 'UNAUTHORIZED':
      return 401;
    case 'QUEUE_FULL':
      return 429;
    case 'REMOTE_ERROR':
      return 502;
    case 'MODEL_NOT_FOUND':
    case 'MODEL_INVALID':
    case 'DOWNLOAD_FAILED':
    case 'STORE_ERROR':
    case 'STORE_MODEL_MISMATCH':
    case 'ABORTED': // reaches a client only when the server stops work it had accepted (shutdown)
      return 503;
    case 'TIMEOUT':
      return 504;
    case 'LOAD_FAILED':
    case 'INFERENCE_FAILED':
    case 'INTERNAL':
      return 500;
  }
}

/**
 * The request field of each library option a request sets, so that a library error about a request's
 * option (`details.option: 'topK'`) reads in the API's words (`top_k`, `details.field`) and is the
 * client's INVALID_INPUT.
 */
export const OPTION_FIELDS: Readonly<Record<string, string>> = {
  candidates: 'candidates',
  maxDocumentTokens: 'max_tokens_per_doc',
  minScore: 'min_score',
  mode: 'mode',
  topK: 'top_k',
};

/**
 * A SiftError as the API reports it: option names become request fields in the message, and an
 * error about a request field is INVALID_INPUT with `details.field` instead of `details.option`.
 *
 * @example
 * inFieldTerms(new SiftError('INVALID_OPTION', '`topK` must be at most `candidates` (5)', { details: { option: 'topK' } })).toJSON()
 * // { code: 'INVALID_INPUT', message: 'sift: top_k must be at most candidates (5)', details: { field: 'top_k' } }
 */
export function inFieldTerms(err: SiftError): SiftError {
  const message = renameOptions(err.message, OPTION_FIELDS);
  const { option, ...details } = err.details ?? {};
  const field = typeof option === 'string' ? OPTION_FIELDS[option] : undefined;
  if (field === undefined)
    return message === err.message ? err : new SiftError(err.code, message, { cause: err.cause, details: err.details });
  const code = err.code === 'INVALID_OPTION' ? 'INVALID_INPUT' : err.code;
  return new SiftError(code, message, { cause: err.cause, details: { ...details, field } });
}

/**
 * Turns anything thrown by a handler into a status, headers and `{"error": {"code", "message"}}`.
 * Unknown errors become a 500 whose message does not leak internals; the caller logs them.
 *
 * @example
 * errorResponse(new SiftError('QUEUE_FULL', 'queue is full', { details: { retryAfterSeconds: 2 } }))
 * // { status: 429, headers: { 'retry-after': '2' }, body: { error: { code: 'QUEUE_FULL', ... } }, unexpected: false }
 */
export function errorResponse(err: unknown): ErrorResponse {
  if (err instanceof SiftError) {
    const shown = inFieldTerms(err);
    const status = statusForCode(shown.code);
    const headers: Record<string, string> = {};
    if (shown.code === 'QUEUE_FULL') {
      const retryAfter = shown.details?.retryAfterSeconds;
      headers['retry-after'] = String(typeof retryAfter === 'number' ? retryAfter : 1);
    }
    if (shown.code === 'UNAUTHORIZED') headers['www-authenticate'] = 'Bearer realm="sift"';
    return { status, headers, body: { error: shown.toJSON() }, unexpected: status >= 500 && shown.code !== 'ABORTED' };
  }
  if (err instanceof HttpError) {
    return {
      status: err.status,
      headers: err.headers,
      body: { error: { code: err.code, message: err.message } },
      unexpected: false,
    };
  }
  return {
    status: 500,
    headers: {},
    body: { error: { code: 'INTERNAL', message: 'sift: internal server error; the server log has the details' } },
    unexpected: true,
  };
}
