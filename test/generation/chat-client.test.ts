import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { ChatClient, chatCompletionsUrl } from '../../src/generation/chat-client.js';
import { isSiftError } from '../../src/errors.js';
import { sendJson, startLocalServer } from '../support/local-http-server.js';
import { expectSiftError } from '../support/expect-sift-error.js';

const MESSAGES = [
  { role: 'system' as const, content: 'Answer from the context.' },
  { role: 'user' as const, content: 'How many people live in Berlin?' },
];

/** Writes an OpenAI-style stream of the given pieces, cut into awkward byte runs with pauses between them. */
async function streamPieces(
  res: ServerResponse,
  pieces: string[],
  options: { done?: boolean; finish?: boolean; role?: boolean } = {},
): Promise<void> {
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' });
  const events: string[] = [];
  // Ollama and vLLM open with a role-only delta; llama.cpp does not.
  if (options.role !== false)
    events.push(
      JSON.stringify({ choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }] }),
    );
  for (const p of pieces)
    events.push(
      JSON.stringify({
        id: 'c1',
        object: 'chat.completion.chunk',
        choices: [{ index: 0, delta: { content: p }, finish_reason: null }],
      }),
    );
  if (options.finish !== false)
    events.push(JSON.stringify({ choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] }));
  if (options.done !== false) events.push('[DONE]');
  const wire = Buffer.from(`: ping\n\n${events.map((e) => `data: ${e}\n\n`).join('')}`);
  for (let i = 0; i < wire.length; i += 37) {
    res.write(wire.subarray(i, i + 37));
    await sleep(1);
  }
  res.end();
}

function completion(content: string): unknown {
  return {
    id: 'c1',
    object: 'chat.completion',
    choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
  };
}

async function collect(stream: AsyncIterable<string>): Promise<string[]> {
  const out: string[] = [];
  for await (const piece of stream) out.push(piece);
  return out;
}

test('streams text pieces from SSE cut at arbitrary bytes; sends model, messages, stream and the key', async () => {
  const pieces = ['Berlin has ', 'about 3.7 million ', 'inhabitants [1]. ', 'Grüße 🐻'];
  const server = await startLocalServer((_req, res) => streamPieces(res, pieces));
  try {
    const llm = new ChatClient({ url: `${server.origin}/v1`, model: 'llama3.2', env: { OPENAI_API_KEY: 'sk-test' } });
    assert.equal(llm.url, `${server.origin}/v1/chat/completions`);
    assert.deepEqual(await collect(llm.stream(MESSAGES)), pieces);
    const seen = server.requests[0]!;
    assert.equal(seen.path, '/v1/chat/completions');
    assert.deepEqual(seen.body, { model: 'llama3.2', messages: MESSAGES, stream: true, temperature: 0 });
    assert.equal(seen.headers.authorization, 'Bearer sk-test');
  } finally {
    await server.close();
  }
});

test('llama.cpp shape (no role delta, no model) and a server that ignores stream: true and answers JSON', async () => {
  const server = await startLocalServer((req, res, n) => {
    if (n === 0) return streamPieces(res, ['one ', 'two'], { role: false });
    return sendJson(
      res,
      200,
      completion(`whole answer to ${(req.body as { messages: unknown[] }).messages.length} messages`),
    );
  });
  try {
    const llm = new ChatClient({ url: `${server.origin}/`, env: {} });
    assert.equal(llm.url, `${server.origin}/v1/chat/completions`);
    assert.equal((await collect(llm.stream(MESSAGES))).join(''), 'one two');
    assert.equal((server.requests[0]!.body as { model?: string }).model, undefined);
    assert.deepEqual(await collect(llm.stream(MESSAGES)), ['whole answer to 2 messages']);
  } finally {
    await server.close();
  }
});

test('complete() asks for stream: false and returns the message content', async () => {
  const server = await startLocalServer((_req, res) => sendJson(res, 200, completion('Not found in the documents.')));
  try {
    const llm = new ChatClient({ url: `${server.origin}/v1/chat/completions`, model: 'gpt-4o-mini', env: {} });
    assert.equal(await llm.complete(MESSAGES), 'Not found in the documents.');
    assert.equal((server.requests[0]!.body as { stream: boolean }).stream, false);
    assert.equal(server.requests[0]!.path, '/v1/chat/completions');
  } finally {
    await server.close();
  }
});

test('429 then 503 then a stream: retried before any text, then streamed', async () => {
  const server = await startLocalServer((_req, res, n) => {
    if (n === 0) return sendJson(res, 429, { error: { message: 'rate limited' } }, { 'retry-after': '0' });
    if (n === 1) return sendJson(res, 503, { error: { message: 'loading model' } });
    return streamPieces(res, ['ok']);
  });
  try {
    const llm = new ChatClient({ url: `${server.origin}/v1`, model: 'm', env: {}, retry: { baseDelayMs: 5 } });
    assert.deepEqual(await collect(llm.stream(MESSAGES)), ['ok']);
    assert.equal(server.requests.length, 3);
  } finally {
    await server.close();
  }
});

test('500 on every attempt: REMOTE_ERROR naming the URL and status', async () => {
  const server = await startLocalServer((_req, res) =>
    sendJson(res, 500, { error: { message: 'CUDA out of memory' } }),
  );
  try {
    const llm = new ChatClient({
      url: `${server.origin}/v1`,
      model: 'm',
      env: {},
      retry: { retries: 2, baseDelayMs: 5 },
    });
    const err = await expectSiftError(
      collect(llm.stream(MESSAGES)),
      'REMOTE_ERROR',
      /HTTP 500 after 3 attempts.*CUDA out of memory/,
    );
    assert.ok(err.message.includes(`${server.origin}/v1/chat/completions`));
    assert.equal(server.requests.length, 3);
  } finally {
    await server.close();
  }
});

test('401 is UNAUTHORIZED naming the variable the key came from, or the one to set', async () => {
  const server = await startLocalServer((_req, res) =>
    sendJson(res, 401, { error: { message: 'Incorrect API key provided' } }),
  );
  try {
    const withKey = new ChatClient({ url: `${server.origin}/v1`, model: 'm', env: { OPENAI_API_KEY: 'sk-bad' } });
    await expectSiftError(
      collect(withKey.stream(MESSAGES)),
      'UNAUTHORIZED',
      /HTTP 401.*Incorrect API key.*key in OPENAI_API_KEY was refused; set SIFT_LLM_API_KEY/,
    );
    const without = new ChatClient({ url: `${server.origin}/v1`, model: 'm', env: {} });
    await expectSiftError(without.complete(MESSAGES), 'UNAUTHORIZED', /set SIFT_LLM_API_KEY \(or OPENAI_API_KEY\)/);
    assert.equal(server.requests.length, 2, 'never retried');
    const preferred = new ChatClient({
      url: `${server.origin}/v1`,
      env: { OPENAI_API_KEY: 'a', SIFT_LLM_API_KEY: 'b' },
    });
    await expectSiftError(preferred.complete(MESSAGES), 'UNAUTHORIZED');
    assert.equal(server.requests[2]!.headers.authorization, 'Bearer b', 'SIFT_LLM_API_KEY wins');
  } finally {
    await server.close();
  }
});

test('a server that never answers: TIMEOUT; a stream that goes silent: TIMEOUT after the text so far', async () => {
  const server = await startLocalServer((req, res) => {
    if ((req.body as { model: string }).model === 'silent') return;
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.write(`data: ${JSON.stringify({ choices: [{ delta: { content: 'Berlin ' } }] })}\n\n`);
    // ...and nothing more.
  });
  try {
    const silent = new ChatClient({ url: `${server.origin}/v1`, model: 'silent', env: {}, timeoutMs: 150 });
    await expectSiftError(collect(silent.stream(MESSAGES)), 'TIMEOUT', /LLM endpoint .* did not answer within 150 ms/);
    const stalls = new ChatClient({ url: `${server.origin}/v1`, model: 'stalls', env: {}, timeoutMs: 150 });
    const got: string[] = [];
    await expectSiftError(
      (async () => {
        for await (const piece of stalls.stream(MESSAGES)) got.push(piece);
      })(),
      'TIMEOUT',
    );
    assert.deepEqual(got, ['Berlin ']);
    assert.equal(server.requests.length, 2, 'timeouts are not retried');
  } finally {
    await server.close();
  }
});

test('an error event inside the stream, a stream cut short and a 404 are clear errors', async () => {
  const server = await startLocalServer((req, res) => {
    const model = (req.body as { model?: string }).model;
    if (model === 'error-event') {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.end(`data: ${JSON.stringify({ error: { message: 'context length exceeded' } })}\n\n`);
    } else if (model === 'cut') {
      void streamPieces(res, ['partial'], { done: false, finish: false });
    } else {
      sendJson(res, 404, { error: 'model "nope" not found, try pulling it first' });
    }
  });
  try {
    const url = `${server.origin}/v1`;
    await expectSiftError(
      collect(new ChatClient({ url, model: 'error-event', env: {} }).stream(MESSAGES)),
      'REMOTE_ERROR',
      /reported an error: context length exceeded/,
    );
    await expectSiftError(
      collect(new ChatClient({ url, model: 'cut', env: {} }).stream(MESSAGES)),
      'REMOTE_ERROR',
      /without \[DONE\]/,
    );
    await expectSiftError(
      collect(new ChatClient({ url, model: 'nope', env: {} }).stream(MESSAGES)),
      'REMOTE_ERROR',
      /HTTP 404.*try pulling.*check `llmUrl`/,
    );
  } finally {
    await server.close();
  }
});

test('chat URL forms', () => {
  assert.equal(chatCompletionsUrl('http://localhost:11434/v1'), 'http://localhost:11434/v1/chat/completions');
  assert.equal(chatCompletionsUrl('http://localhost:11434/v1/'), 'http://localhost:11434/v1/chat/completions');
  assert.equal(chatCompletionsUrl('http://localhost:8080'), 'http://localhost:8080/v1/chat/completions');
  assert.equal(
    chatCompletionsUrl('https://api.openai.com/v1/chat/completions'),
    'https://api.openai.com/v1/chat/completions',
  );
  assert.throws(
    () => chatCompletionsUrl('localhost:11434'),
    (e: unknown) => isSiftError(e, 'INVALID_OPTION'),
  );
});
