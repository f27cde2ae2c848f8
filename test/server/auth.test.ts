import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { isSiftError } from '../../src/errors.js';
import { checkBearer, checkBindAddress, isLoopbackHost } from '../../src/server/api-key.js';
import { startServer } from '../../src/server/start-server.js';
import { postJson, startTestServer, tinyJudge } from './server-fixtures.js';

after(async () => (await tinyJudge()).close());

const body = { query: 'How many people live in Berlin?', documents: ['Berlin had 3.5 million inhabitants.'] };

test('with an API key, API routes and /metrics need "Authorization: Bearer <key>"; the page and /health do not', async () => {
  const server = await startTestServer({ apiKey: 's3cret-key' });
  try {
    const none = await postJson(`${server.url}/v1/rerank`, body);
    assert.equal(none.status, 401);
    assert.equal(none.body.error.code, 'UNAUTHORIZED');
    assert.match(none.body.error.message, /Authorization: Bearer <key>/);
    assert.equal(none.headers.get('www-authenticate'), 'Bearer realm="sift"');

    const wrong = await postJson(`${server.url}/v1/rerank`, body, { authorization: 'Bearer s3cret-kez' });
    assert.equal(wrong.status, 401);
    assert.match(wrong.body.error.message, /not valid/);
    const shorter = await postJson(
      `${server.url}/rerank`,
      { query: 'q', texts: ['a'] },
      { authorization: 'Bearer s3' },
    );
    assert.equal(shorter.status, 401);
    const basic = await postJson(
      `${server.url}/v1/search`,
      { query: 'q' },
      { authorization: 'Basic czNjcmV0LWtleQ==' },
    );
    assert.equal(basic.status, 401);

    const ok = await postJson(`${server.url}/v1/rerank`, body, { authorization: 'Bearer s3cret-key' });
    assert.equal(ok.status, 200);
    const okSearch = await postJson(
      `${server.url}/v1/search`,
      { query: 'Berlin population' },
      { authorization: 'bearer s3cret-key' },
    );
    assert.equal(okSearch.status, 200, 'the scheme is case-insensitive');

    assert.equal((await fetch(`${server.url}/metrics`)).status, 401);
    assert.equal(
      (await fetch(`${server.url}/metrics`, { headers: { authorization: 'Bearer s3cret-key' } })).status,
      200,
    );
    assert.equal((await fetch(`${server.url}/health`)).status, 200);
    assert.equal((await fetch(`${server.url}/`)).status, 200);
    assert.equal((await fetch(`${server.url}/app.js`)).status, 200);
  } finally {
    await server.close();
  }
});

test('without a key on loopback, requests need no auth but must be addressed to a loopback name (DNS rebinding)', async () => {
  const server = await startTestServer({ withSearch: false });
  try {
    assert.equal((await postJson(`${server.url}/v1/rerank`, body)).status, 200);
    const viaLocalhost = await getWithHost(server.port, `localhost:${server.port}`);
    assert.equal(viaLocalhost, 200);
    const rebound = await getWithHost(server.port, `attacker.example:${server.port}`);
    assert.equal(rebound, 401);
  } finally {
    await server.close();
  }
});

/** fetch cannot set Host; node:http can. */
function getWithHost(port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/health', headers: { host } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

test('binding an address other machines can reach needs an API key', async () => {
  for (const host of ['127.0.0.1', '127.0.0.2', 'localhost', '::1', '[::1]']) {
    assert.doesNotThrow(() => checkBindAddress(host, undefined), host);
    assert.ok(isLoopbackHost(host), host);
  }
  for (const host of ['0.0.0.0', '::', '192.168.1.20', 'example.com']) {
    assert.throws(
      () => checkBindAddress(host, undefined),
      (err: unknown) =>
        isSiftError(err, 'INVALID_OPTION') &&
        err.message.includes(`\`host\` ${host}`) &&
        /`apiKey`/.test(err.message) &&
        err.details?.option === 'apiKey' &&
        /SIFT_API_KEY/.test(err.message),
      host,
    );
    assert.doesNotThrow(() => checkBindAddress(host, 'a-key'), host);
  }
  assert.throws(() => checkBindAddress('127.0.0.1', ''), /API key is empty/);
  // startServer applies the check before binding anything.
  await assert.rejects(startServer({ judge: await tinyJudge(), host: '0.0.0.0', port: 0 }), /API key is required/);
});

test('checkBearer compares keys of any length without throwing on length mismatch', () => {
  assert.doesNotThrow(() => checkBearer('Bearer k', 'k'));
  for (const header of [undefined, '', 'Bearer', 'Bearer ', 'Token k', 'Bearer kk', 'Bearer ' + 'k'.repeat(10_000)]) {
    assert.throws(
      () => checkBearer(header, 'k'),
      (err: unknown) => isSiftError(err, 'UNAUTHORIZED'),
      String(header),
    );
  }
});
