/**
 * Failures that exist only at the HTTP layer (no route, wrong method, body too large, not JSON).
 * Everything the library can fail with is a `SiftError`; both are turned into responses by
 * `errorResponse` in `error-response.ts`, the one place that picks statuses.
 */
export type HttpErrorCode =
  'FORBIDDEN' | 'NOT_FOUND' | 'METHOD_NOT_ALLOWED' | 'PAYLOAD_TOO_LARGE' | 'UNSUPPORTED_MEDIA_TYPE';

const STATUS: Record<HttpErrorCode, number> = {
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
};

/**
 * An HTTP-only failure with its status.
 *
 * @example
 * throw new HttpError('PAYLOAD_TOO_LARGE', 'the body is over the 8388608-byte limit');
 */
export class HttpError extends Error {
  readonly code: HttpErrorCode;
  readonly status: number;
  readonly headers: Record<string, string>;

  constructor(code: HttpErrorCode, message: string, headers: Record<string, string> = {}) {
    super(message.startsWith('sift: ') ? message : `sift: ${message}`);
    this.name = 'HttpError';
    this.code = code;
    this.status = STATUS[code];
    this.headers = headers;
  }
}
