import { SiftError } from '../errors.js';
import {
  displayUrl,
  fetchWithRetry,
  type AttemptTimer,
  type RetryPolicy,
} from '../reranking/remote/fetch-with-retry.js';
import type { ChatMessage } from './build-messages.js';
import { parseSse } from './parse-sse.js';

export interface ChatClientOptions {
  /**
   * An OpenAI-compatible endpoint: a base URL (`https://api.openai.com/v1`,
   * `http://localhost:11434/v1` for Ollama, `http://localhost:8000/v1` for vLLM,
   * `http://localhost:8080` for llama.cpp server) or the full `.../chat/completions` URL.
   */
  url: string;
  /** Model name (`gpt-4o-mini`, `llama3.2`); servers that serve one model (llama.cpp) need none. */
  model?: string | undefined;
  /** Bearer token; default `SIFT_LLM_API_KEY`, else `OPENAI_API_KEY`. Local servers need none. */
  apiKey?: string | undefined;
  /**
   * Milliseconds to wait for the answer to start, and then at most between two streamed pieces
   * (default 120 000: a CPU-only local model may take a minute to read a 3 000-token context).
   */
  timeoutMs?: number | undefined;
  /** Retries of 408/429/5xx and network errors before any text arrived (default 3, from 500 ms). */
  retry?: RetryPolicy | undefined;
  /** Sampling temperature (default 0: answers grounded in documents gain nothing from variety). */
  temperature?: number | undefined;
  /** Longest answer in tokens (default: the server's). */
  maxTokens?: number | undefined;
  headers?: Record<string, string> | undefined;
  /** Environment to read keys from (default `process.env`). */
  env?: NodeJS.ProcessEnv | undefined;
}

export const DEFAULT_LLM_TIMEOUT_MS = 120_000;

/**
 * A client of the OpenAI chat-completions protocol, as OpenAI, Ollama, vLLM and llama.cpp server
 * speak it: streamed (`stream: true`, server-sent `data:` events ending with `[DONE]`) or whole.
 *
 * @example
 * const llm = new ChatClient({ url: 'http://localhost:11434/v1', model: 'llama3.2' });
 * for await (const text of llm.stream([{ role: 'user', content: 'Say hi' }])) process.stdout.write(text);
 * // Hi! How can I help you today?
 */
export class ChatClient {
  /** The full `.../chat/completions` URL. */
  readonly url: string;
  readonly model: string | undefined;
  private readonly options: ChatClientOptions;
  private readonly headers: Record<string, string>;
  private readonly authHint: string;

  constructor(options: ChatClientOptions) {
    this.url = chatCompletionsUrl(options.url);
    this.model = options.model;
    this.options = options;
    const env = options.env ?? process.env;
    const fromEnv = env.SIFT_LLM_API_KEY?.trim()
      ? 'SIFT_LLM_API_KEY'
      : env.OPENAI_API_KEY?.trim()
        ? 'OPENAI_API_KEY'
        : undefined;
    const key = options.apiKey ?? (fromEnv ? env[fromEnv]!.trim() : undefined);
    this.authHint =
      options.apiKey !== undefined
        ? 'check the apiKey option'
        : fromEnv
          ? `the key in ${fromEnv} was refused; set SIFT_LLM_API_KEY to a valid key`
          : 'set SIFT_LLM_API_KEY (or OPENAI_API_KEY) to the API key';
    this.headers = { ...options.headers, ...(key ? { authorization: `Bearer ${key}` } : {}) };
  }

  /**
   * Streams the answer as text pieces. Failures before the first piece (429, 5xx, network) are
   * retried; once text has been handed out, a failure ends the stream with a REMOTE_ERROR rather than
   * starting over and repeating text. A server that ignores `stream: true` and answers with one JSON
   * body is read as such (one piece).
   */
  async *stream(
    messages: readonly ChatMessage[],
    options: { signal?: AbortSignal | undefined } = {},
  ): AsyncGenerator<string> {
    const { response, timer } = await this.send(messages, true, options.signal);
    try {
      const type = response.headers.get('content-type') ?? '';
      if (type.includes('application/json')) {
        yield completionText(await this.readJson(response, timer), this.where);
        return;
      }
      yield* this.readStream(response, timer);
    } finally {
      timer.clear();
    }
  }

  /** The whole answer in one request (`stream: false`). */
  async complete(
    messages: readonly ChatMessage[],
    options: { signal?: AbortSignal | undefined } = {},
  ): Promise<string> {
    const { response, timer } = await this.send(messages, false, options.signal);
    try {
      return completionText(await this.readJson(response, timer), this.where);
    } finally {
      timer.clear();
    }
  }

  private get where(): string {
    return `LLM endpoint ${displayUrl(this.url)}`;
  }

  private async send(messages: readonly ChatMessage[], stream: boolean, signal: AbortSignal | undefined) {
    const o = this.options;
    try {
      return await fetchWithRetry({
        url: this.url,
        what: 'LLM endpoint',
        body: {
          ...(this.model ? { model: this.model } : {}),
          messages,
          stream,
          temperature: o.temperature ?? 0,
          ...(o.maxTokens !== undefined ? { max_tokens: o.maxTokens } : {}),
        },
        headers: this.headers,
        authHint: this.authHint,
        signal,
        timeoutMs: o.timeoutMs ?? DEFAULT_LLM_TIMEOUT_MS,
        ...(o.retry !== undefined ? { retry: o.retry } : {}),
      });
    } catch (err) {
      const status = err instanceof SiftError ? err.details?.status : undefined;
      if (err instanceof SiftError && (status === 404 || status === 400)) {
        const hint =
          status === 404
            ? '; check `llmUrl` (an OpenAI-compatible base such as http://localhost:11434/v1) and `llmModel`'
            : this.model
              ? ''
              : '; the server may need a model name: set `llmModel`';
        throw new SiftError(err.code, `${err.message}${hint}`, {
          cause: err.cause,
          ...(err.details ? { details: err.details } : {}),
        });
      }
      throw err;
    }
  }

  private async readJson(response: Response, timer: AttemptTimer): Promise<unknown> {
    let text: string;
    try {
      text = await response.text();
    } catch (err) {
      throw timer.translate(err, `${this.where} broke off its answer`);
    }
    try {
      return JSON.parse(text);
    } catch (err) {
      throw new SiftError(
        'REMOTE_ERROR',
        `${this.where} sent an answer that is not JSON: "${text.replace(/\s+/g, ' ').slice(0, 80)}"; check \`llmUrl\``,
        { cause: err },
      );
    }
  }

  private async *readStream(response: Response, timer: AttemptTimer): AsyncGenerator<string> {
    if (!response.body) throw new SiftError('REMOTE_ERROR', `${this.where} sent an empty answer`);
    let finished = false;
    try {
      for await (const event of parseSse(restartOnProgress(response.body, timer))) {
        if (event.data === '[DONE]') return;
        const piece = deltaText(event.data, this.where);
        if (piece.finished) finished = true;
        if (piece.text) yield piece.text;
      }
    } catch (err) {
      throw timer.translate(err, `${this.where} broke off the stream`);
    }
    if (!finished)
      throw new SiftError(
        'REMOTE_ERROR',
        `${this.where} ended the stream without [DONE] or a finish_reason; the answer may be cut short`,
      );
  }
}

/**
 * The chat-completions URL of a base URL: `.../chat/completions` is kept, a bare host gets
 * `/v1/chat/completions` (where every OpenAI-compatible server serves it), any other path gets
 * `/chat/completions` appended (`.../v1` -> `.../v1/chat/completions`).
 *
 * @example
 * chatCompletionsUrl('http://localhost:11434/v1') // 'http://localhost:11434/v1/chat/completions'
 */
export function chatCompletionsUrl(base: string): string {
  let u: URL;
  try {
    u = new URL(base);
  } catch (err) {
    throw new SiftError(
      'INVALID_OPTION',
      `\`llmUrl\` "${base}" is not a URL; expected e.g. http://localhost:11434/v1`,
      { cause: err, details: { option: 'llmUrl' } },
    );
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:')
    throw new SiftError('INVALID_OPTION', `\`llmUrl\` "${base}" must start with http:// or https://`, {
      details: { option: 'llmUrl' },
    });
  const path = u.pathname.replace(/\/+$/, '');
  if (!path.endsWith('/chat/completions'))
    u.pathname = path === '' ? '/v1/chat/completions' : `${path}/chat/completions`;
  return u.toString();
}

/** Restarts the idle timer on every piece of the body, so only silence times out, not long answers. */
async function* restartOnProgress(body: AsyncIterable<Uint8Array>, timer: AttemptTimer): AsyncGenerator<Uint8Array> {
  for await (const bytes of body) {
    timer.restart();
    yield bytes;
  }
}

/** The text of one streamed chunk (`choices[0].delta.content`), or the error it carries. */
function deltaText(data: string, where: string): { text: string; finished: boolean } {
  let chunk: unknown;
  try {
    chunk = JSON.parse(data);
  } catch (err) {
    throw new SiftError('REMOTE_ERROR', `${where} streamed an event that is not JSON: "${data.slice(0, 80)}"`, {
      cause: err,
    });
  }
  throwIfError(chunk, where);
  const choices = (chunk as { choices?: unknown }).choices;
  // Usage-only chunks (OpenAI `stream_options.include_usage`) have no choices.
  if (!Array.isArray(choices) || choices.length === 0) return { text: '', finished: false };
  const choice = choices[0] as { delta?: { content?: unknown }; finish_reason?: unknown };
  const content = choice?.delta?.content;
  return { text: typeof content === 'string' ? content : '', finished: typeof choice?.finish_reason === 'string' };
}

/** The text of a whole completion (`choices[0].message.content`). */
function completionText(body: unknown, where: string): string {
  throwIfError(body, where);
  const content = (body as { choices?: { message?: { content?: unknown } }[] })?.choices?.[0]?.message?.content;
  if (typeof content !== 'string') {
    throw new SiftError(
      'REMOTE_ERROR',
      `${where} sent no choices[0].message.content: ${JSON.stringify(body).slice(0, 120)}`,
    );
  }
  return content;
}

/** Servers report some failures inside a 200 answer or stream as `{"error": {"message": ...}}`. */
function throwIfError(body: unknown, where: string): void {
  if (body === null || typeof body !== 'object')
    throw new SiftError('REMOTE_ERROR', `${where} sent ${JSON.stringify(body)}, not a completion`);
  const error = (body as { error?: unknown }).error;
  if (error === undefined || error === null) return;
  const message =
    typeof error === 'string'
      ? error
      : typeof (error as { message?: unknown }).message === 'string'
        ? (error as { message: string }).message
        : JSON.stringify(error);
  throw new SiftError('REMOTE_ERROR', `${where} reported an error: ${message}`);
}
