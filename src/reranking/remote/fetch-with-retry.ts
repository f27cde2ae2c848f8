/**
 * One HTTP request to a remote endpoint (reranker, LLM) with a time limit, retries and errors that
 * name the endpoint. Shared by the remote judge and the chat-completions client so both fail the
 * same way: 401/403 -> UNAUTHORIZED, time limit -> TIMEOUT, anything else -> REMOTE_ERROR.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { SiftError } from '../../errors.js';

/** How failed attempts are retried. */
export interface RetryPolicy {
  /** Attempts after the first (default 3). 0 disables retries. */
  retries?: number;
  /**
   * First backoff delay in ms (default 500); each retry doubles it, with jitter, up to `maxDelayMs`.
   * A `Retry-After` header replaces the computed delay.
   */
  baseDelayMs?: number;
  /**
   * Longest wait between attempts in ms (default 30 000). A `Retry-After` asking for longer fails
   * at once rather than blocking the caller for minutes.
   */
  maxDelayMs?: number;
}

export interface RemoteRequest {
  /** Full URL of the endpoint. */
  url: string;
  /** What the endpoint is, for messages: "reranker endpoint", "LLM endpoint". */
  what: string;
  /** JSON request body (always POST). */
  body: unknown;
  headers?: Record<string, string>;
  /**
   * Milliseconds an attempt may take; the same timer keeps running while the caller reads the body,
   * and a streaming reader restarts it on every chunk (an idle limit). Default 30 000.
   */
  timeoutMs?: number;
  retry?: RetryPolicy;
  /** Added to UNAUTHORIZED messages: how to give a valid key ("set SIFT_LLM_API_KEY"). */
  authHint?: string;
  /** Cancels the request (ABORTED), including the waits between attempts. */
  signal?: AbortSignal | undefined;
}

/** A successful (2xx) response and the timer still guarding its body. */
export interface RemoteResponse {
  response: Response;
  /** Restart on progress (streams); `clear()` once the body is read. */
  timer: AttemptTimer;
  /** How many attempts it took (1 = no retry). */
  attempts: number;
}

export const DEFAULT_REMOTE_TIMEOUT_MS = 30_000;
const DEFAULT_RETRIES = 3;
const DEFAULT_BASE_DELAY_MS = 500;
const DEFAULT_MAX_DELAY_MS = 30_000;

/**
 * 408 and 429 say "try later"; 5xx are server faults that often pass (overload, restarts), except
 * 501 (not implemented) and 505 (HTTP version), which never will.
 */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || (status >= 500 && status !== 501 && status !== 505);
}

/**
 * A per-attempt deadline: aborts its signal with a TIMEOUT SiftError when it fires, and follows the
 * caller's signal.
 */
export class AttemptTimer {
  readonly signal: AbortSignal;
  private readonly controller = new AbortController();
  private handle: NodeJS.Timeout | undefined;
  private fired = false;
  private readonly onCallerAbort: () => void;

  constructor(
    private readonly ms: number,
    private readonly describe: () => string,
    private readonly caller?: AbortSignal,
  ) {
    this.signal = this.controller.signal;
    this.onCallerAbort = () => this.controller.abort(abortedError(describe(), caller?.reason));
    if (caller?.aborted) this.onCallerAbort();
    else caller?.addEventListener('abort', this.onCallerAbort, { once: true });
    this.restart();
  }

  /** True once the deadline fired. */
  get timedOut(): boolean {
    return this.fired;
  }

  /** Starts the deadline again from now (called on each streamed chunk). */
  restart(): void {
    if (this.handle) clearTimeout(this.handle);
    if (this.controller.signal.aborted) return;
    this.handle = setTimeout(() => {
      this.fired = true;
      this.controller.abort(
        new SiftError(
          'TIMEOUT',
          `${this.describe()} did not answer within ${this.ms} ms; raise the timeout or check the server`,
          {
            details: { timeoutMs: this.ms },
          },
        ),
      );
    }, this.ms);
  }

  /** Stops the deadline and detaches from the caller's signal. */
  clear(): void {
    if (this.handle) clearTimeout(this.handle);
    this.handle = undefined;
    this.caller?.removeEventListener('abort', this.onCallerAbort);
  }

  /** Maps an error thrown while this timer was active to the SiftError it stands for. */
  translate(err: unknown, fallback: string): SiftError {
    if (this.signal.aborted && this.signal.reason instanceof SiftError) return this.signal.reason;
    if (err instanceof SiftError) return err;
    const reason = err instanceof Error ? describeNetworkError(err) : String(err);
    return new SiftError('REMOTE_ERROR', `${fallback}: ${reason}`, { cause: err });
  }
}

/**
 * POSTs JSON and returns the first 2xx response, retrying 408/429/5xx answers and network errors
 * with exponential backoff and jitter, honouring `Retry-After`. Timeouts are not retried: the
 * attempt already cost the whole time budget, and a retry would multiply the caller's wait.
 *
 * @example
 * const { response, timer } = await fetchWithRetry({ url, what: 'reranker endpoint', body: { query, texts } });
 * try { return await response.json(); } finally { timer.clear(); }
 */
export async function fetchWithRetry(request: RemoteRequest): Promise<RemoteResponse> {
  const retries = request.retry?.retries ?? DEFAULT_RETRIES;
  const baseDelay = request.retry?.baseDelayMs ?? DEFAULT_BASE_DELAY_MS;
  const maxDelay = request.retry?.maxDelayMs ?? DEFAULT_MAX_DELAY_MS;
  const timeoutMs = request.timeoutMs ?? DEFAULT_REMOTE_TIMEOUT_MS;
  const where = `${request.what} ${displayUrl(request.url)}`;
  const body = JSON.stringify(request.body);

  for (let attempt = 1; ; attempt++) {
    const timer = new AttemptTimer(timeoutMs, () => where, request.signal);
    let response: Response;
    try {
      response = await fetch(request.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
          ...request.headers,
        },
        body,
        signal: timer.signal,
      });
    } catch (err) {
      timer.clear();
      const mapped = timer.translate(err, `${where} could not be reached`);
      // Only network failures are retried; timeouts and aborts end the call.
      if (mapped.code !== 'REMOTE_ERROR' || attempt > retries) throw withAttempts(mapped, attempt);
      await pause(backoffDelay(attempt, baseDelay, maxDelay), where, request.signal);
      continue;
    }
    if (response.ok) return { response, timer, attempts: attempt };

    const text = await readErrorText(response);
    timer.clear();
    const details = { url: displayUrl(request.url), status: response.status, attempts: attempt };
    if (response.status === 401 || response.status === 403) {
      const hint = request.authHint ? `; ${request.authHint}` : '';
      throw new SiftError(
        'UNAUTHORIZED',
        `${where} refused the credentials (HTTP ${response.status})${text ? `: ${text}` : ''}${hint}`,
        { details },
      );
    }
    const failure = new SiftError(
      'REMOTE_ERROR',
      `${where} answered HTTP ${response.status}${attempt > 1 ? ` after ${attempt} attempts` : ''}${text ? `: ${text}` : ''}`,
      { details },
    );
    if (!isRetryableStatus(response.status) || attempt > retries) throw failure;
    const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'));
    if (retryAfterMs !== undefined && retryAfterMs > maxDelay) {
      throw new SiftError(
        'REMOTE_ERROR',
        `${failure.message}; it asks to retry after ${Math.ceil(retryAfterMs / 1000)} s, longer than the ${maxDelay} ms sift waits`,
        { details: { ...details, retryAfterMs } },
      );
    }
    await pause(retryAfterMs ?? backoffDelay(attempt, baseDelay, maxDelay), where, request.signal);
  }
}

/**
 * Exponential backoff with "equal jitter" (half fixed, half random): retries spread out so that
 * many clients failing together do not return together, yet never retry immediately.
 * See https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/.
 */
export function backoffDelay(attempt: number, baseDelayMs: number, maxDelayMs: number): number {
  const ceiling = Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1));
  return ceiling / 2 + Math.random() * (ceiling / 2);
}

/** `Retry-After` in ms: delta-seconds or an HTTP date (RFC 9110 §10.2.3); undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null, now: number = Date.now()): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** The URL without credentials or query string (which may hold keys), for messages. */
export function displayUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return url;
  }
}

/** The start of an error body, on one line, for the message (servers put the reason there). */
async function readErrorText(response: Response): Promise<string> {
  try {
    const text = (await response.text()).replace(/\s+/g, ' ').trim();
    return text.length > 300 ? `${text.slice(0, 299)}…` : text;
  } catch {
    return '';
  }
}

/** undici reports "fetch failed" and hides the reason (ECONNREFUSED, ENOTFOUND…) in `cause`. */
function describeNetworkError(err: Error): string {
  const cause = err.cause;
  if (cause instanceof Error) {
    const code = (cause as NodeJS.ErrnoException).code;
    return code ? `${err.message} (${code}: ${cause.message})` : `${err.message} (${cause.message})`;
  }
  return err.message;
}

/** Adds the attempt count to a network failure seen on a retry. */
function withAttempts(err: SiftError, attempt: number): SiftError {
  if (attempt === 1 || err.code !== 'REMOTE_ERROR') return err;
  return new SiftError('REMOTE_ERROR', `${err.message} (after ${attempt} attempts)`, {
    cause: err.cause,
    details: { ...err.details, attempts: attempt },
  });
}

/** Waits between attempts; the caller's signal cuts the wait short. */
async function pause(ms: number, where: string, signal: AbortSignal | undefined): Promise<void> {
  try {
    await sleep(ms, undefined, signal ? { signal } : {});
  } catch (err) {
    throw abortedError(where, signal?.reason ?? err);
  }
}

function abortedError(where: string, reason: unknown): SiftError {
  return new SiftError('ABORTED', `the request to ${where} was aborted`, { cause: reason });
}
