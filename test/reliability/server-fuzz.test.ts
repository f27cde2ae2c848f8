import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { RunningServer } from '../../src/server/start-server.js';
import { startTestServer } from '../server/server-fixtures.js';
import { NASTY_STRINGS, prng, randomString, type Rng } from './prng.js';

/**
 * Seeded fuzzing of the HTTP API: malformed JSON, wrong types, huge arrays, unicode in every field,
 * random JSON shapes. Every answer is 2xx or 4xx (never 5xx), every 4xx is a JSON error whose message
 * names the field at fault, and the server is healthy afterwards.
 */

export const SERVER_SEED = 0x5eed03;
const ROUTES = ['/v1/rerank', '/rerank', '/v1/search', '/v1/ask'] as const;
const FIELDS: Record<(typeof ROUTES)[number], string[]> = {
  '/v1/rerank': ['query', 'documents', 'top_n', 'return_documents', 'model'],
  '/rerank': ['query', 'texts', 'raw_scores', 'return_text', 'truncate'],
  '/v1/search': ['query', 'candidates', 'top_k', 'mode', 'min_score', 'compare'],
  '/v1/ask': ['query', 'candidates', 'top_k', 'mode', 'min_score', 'compare'],
};

let server: RunningServer;
before(async () => {
  server = await startTestServer({ limits: { maxDocuments: 64 } });
});
after(() => server.close());

function randomJson(rng: Rng, depth = 0): unknown {
  switch (rng.int(0, depth > 3 ? 5 : 8)) {
    case 0:
      return null;
    case 1:
      return rng.next() < 0.5;
    case 2:
      return rng.pick([0, -1, 1.5, 1e308, -1e308, 2 ** 53 + 1, -0, 64, 65, 1000, 0.5]);
    case 3:
      return rng.pick(NASTY_STRINGS);
    case 4:
      return randomString(rng, rng.int(0, 50));
    case 5:
      return rng.pick(['berlin', 'hybrid', 'keyword', '', '__proto__']);
    case 6:
      return Array.from({ length: rng.int(0, 5) }, () => randomJson(rng, depth + 1));
    case 7:
      return Object.fromEntries(
        Array.from({ length: rng.int(0, 4) }, () => [
          rng.pick(['text', 'query', '__proto__', 'constructor', randomString(rng, 5)]),
          randomJson(rng, depth + 1),
        ]),
      );
    default:
      return { text: randomJson(rng, depth + 1) };
  }
}

function validBody(route: (typeof ROUTES)[number], rng: Rng): Record<string, unknown> {
  const q = rng.pick(NASTY_STRINGS.filter((s) => s.trim().length > 0 && s.length < 1000));
  if (route === '/v1/rerank')
    return {
      query: q,
      documents: Array.from({ length: rng.int(1, 5) }, () =>
        rng.next() < 0.5
          ? rng.pick(NASTY_STRINGS)
          : { text: rng.pick(NASTY_STRINGS), [rng.pick(NASTY_STRINGS)]: rng.pick(NASTY_STRINGS) },
      ),
      top_n: 2,
      model: rng.pick(NASTY_STRINGS),
    };
  if (route === '/rerank')
    return { query: q, texts: Array.from({ length: rng.int(1, 5) }, () => rng.pick(NASTY_STRINGS)) };
  return { query: q, top_k: 2 };
}

interface Outcome {
  status: number;
  body: any;
  contentType: string;
}

async function send(path: string, body: string | Uint8Array, contentType = 'application/json'): Promise<Outcome> {
  const res = await fetch(server.url + path, { method: 'POST', headers: { 'content-type': contentType }, body });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    /* SSE or text */
  }
  return { status: res.status, body: parsed, contentType: res.headers.get('content-type') ?? '' };
}

const tally: Record<string, number> = {};
function check(o: Outcome, what: string): void {
  tally[String(o.status)] = (tally[String(o.status)] ?? 0) + 1;
  assert.ok(o.status < 500, `${what}: ${o.status} ${JSON.stringify(o.body).slice(0, 300)}`);
  if (o.status >= 400) {
    assert.ok(o.contentType.includes('application/json'), `${what}: error is JSON`);
    const err = o.body?.error;
    assert.ok(typeof err?.code === 'string' && typeof err?.message === 'string', `${what}: {"error": {code, message}}`);
    const field = err.details?.field;
    if (field !== undefined)
      assert.ok(err.message.includes(String(field)), `${what}: message names ${field}: ${err.message}`);
    if (err.code === 'INVALID_INPUT')
      assert.ok(field !== undefined, `${what}: INVALID_INPUT names a field: ${err.message}`);
  }
}

test('random JSON shapes, field-by-field wrong types and unicode in every field: never 5xx, errors name the field', async (t) => {
  const rng = prng(SERVER_SEED);
  let sent = 0;
  for (let i = 0; i < 320; i++) {
    const route = ROUTES[i % ROUTES.length]!;
    let body: unknown;
    const kind = rng.int(0, 2);
    if (kind === 0) body = randomJson(rng);
    else {
      const b = validBody(route, rng);
      const field = rng.pick(FIELDS[route]);
      if (kind === 1) b[field] = randomJson(rng);
      body = b;
    }
    check(await send(route, JSON.stringify(body)), `${route} #${i} ${JSON.stringify(body).slice(0, 120)}`);
    sent++;
  }
  t.diagnostic(`${sent} requests, statuses ${JSON.stringify(tally)}`);
});

test('malformed bodies: cut JSON, bad UTF-8, deep nesting, wrong content type, empty, huge arrays', async (t) => {
  const rng = prng(SERVER_SEED + 1);
  const bodies: [string, string | Uint8Array, string?][] = [];
  const valid = JSON.stringify({ query: 'berlin', documents: ['a', 'b'] });
  for (let i = 0; i < 40; i++) bodies.push([`cut at ${i}`, valid.slice(0, rng.int(0, valid.length - 1))]);
  bodies.push(['bad utf-8', new Uint8Array([0x7b, 0x22, 0x71, 0xff, 0xfe, 0x22, 0x7d])]);
  bodies.push(['deep array', '['.repeat(100_000) + ']'.repeat(100_000)]);
  bodies.push(['deep object', '{"a":'.repeat(50_000) + '1' + '}'.repeat(50_000)]);
  bodies.push(['empty', '']);
  bodies.push(['text/plain', valid, 'text/plain']);
  bodies.push(['no content type', valid, '']);
  bodies.push(['form', 'query=berlin', 'application/x-www-form-urlencoded']);
  bodies.push(['NaN', '{"query": NaN}']);
  bodies.push(['duplicate keys', '{"query": "a", "query": 5, "documents": []}']);
  bodies.push(['proto pollution', '{"__proto__": {"query": "x"}, "documents": ["a"]}']);
  bodies.push([
    '10k documents',
    JSON.stringify({ query: 'berlin', documents: Array.from({ length: 10_000 }, (_, i) => `doc ${i}`) }),
  ]);
  bodies.push(['100k texts', JSON.stringify({ query: 'berlin', texts: Array.from({ length: 100_000 }, () => 'x') })]);
  bodies.push(['9 MB body', JSON.stringify({ query: 'berlin', documents: ['x'.repeat(9 * 1024 * 1024)] })]);
  bodies.push(['long document', JSON.stringify({ query: 'berlin', documents: ['y'.repeat(40_000)] })]);
  bodies.push(['top_n string', JSON.stringify({ query: 'berlin', documents: ['a'], top_n: '3' })]);
  let n = 0;
  for (const [what, body, type] of bodies) {
    for (const route of ['/v1/rerank', '/rerank', '/v1/search']) {
      const o = await send(route, body, type);
      check(o, `${route} ${what}`);
      n++;
      if (what === '10k documents' && route === '/v1/rerank')
        assert.match(o.body.error.message, /documents must have at most 64 items/);
      if (what === '9 MB body') assert.equal(o.status, 413);
    }
  }
  t.diagnostic(`${n} malformed requests, statuses so far ${JSON.stringify(tally)}`);
});

test('the server is healthy after the fuzzing and still answers a good request', async () => {
  const health = await fetch(`${server.url}/health`);
  assert.equal(health.status, 200);
  const o = await send(
    '/v1/rerank',
    JSON.stringify({
      query: 'population of Berlin',
      documents: ['Berlin has 3.5 million inhabitants.', 'Rome is old.'],
    }),
  );
  assert.equal(o.status, 200);
  assert.equal(o.body.results.length, 2);
});
