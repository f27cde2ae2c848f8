import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSse, type SseEvent } from '../../src/generation/parse-sse.js';

async function* pieces(bytes: Uint8Array, cuts: number[]): AsyncGenerator<Uint8Array> {
  let start = 0;
  for (const cut of [...cuts, bytes.length]) {
    yield bytes.slice(start, cut);
    start = cut;
  }
}

async function collect(body: AsyncIterable<Uint8Array>): Promise<SseEvent[]> {
  const events: SseEvent[] = [];
  for await (const e of parseSse(body)) events.push(e);
  return events;
}

const STREAM = [
  ': keep-alive comment',
  'data: {"choices":[{"delta":{"content":"Grüße aus Berlin 🐻"}}]}',
  '',
  'event: message',
  'data: line one',
  'data: line two',
  'id: 7',
  'retry: 1000',
  '',
  'data:no-space',
  '',
  'data: [DONE]',
  '',
  '',
].join('\r\n');

const EXPECTED: SseEvent[] = [
  { event: undefined, data: '{"choices":[{"delta":{"content":"Grüße aus Berlin 🐻"}}]}' },
  { event: 'message', data: 'line one\nline two' },
  { event: undefined, data: 'no-space' },
  { event: undefined, data: '[DONE]' },
];

test('events come out the same however the bytes are cut (inside lines, \\r\\n pairs and UTF-8 characters)', async () => {
  const bytes = new TextEncoder().encode(STREAM);
  assert.deepEqual(await collect(pieces(bytes, [])), EXPECTED);
  for (let cut = 1; cut < bytes.length; cut++) {
    assert.deepEqual(await collect(pieces(bytes, [cut])), EXPECTED, `one cut at byte ${cut}`);
  }
  const everyByte = Array.from({ length: bytes.length - 1 }, (_, i) => i + 1);
  assert.deepEqual(await collect(pieces(bytes, everyByte)), EXPECTED, 'one byte at a time');
});

test('\\n and lone \\r line ends work too; an unterminated last event is still delivered', async () => {
  const lf = new TextEncoder().encode('data: a\n\ndata: b\r\rdata: c');
  assert.deepEqual(
    (await collect(pieces(lf, [8, 15]))).map((e) => e.data),
    ['a', 'b', 'c'],
  );
});
