import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { cp, readFile, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { isSiftError } from '../../src/errors.js';
import { CrossEncoderReranker } from '../../src/reranking/cross-encoder.js';
import { removeTempDirs, tempDir } from '../ingest/make-corpus.js';
import { runCli } from '../support/run-cli.js';
import { testModelDir } from '../support/test-models.js';
import { prng } from './prng.js';

/**
 * A model file that is truncated or corrupt: loading fails with MODEL_INVALID naming the file at fault
 * and the fix, and `sift rerank` prints it as one line with exit code 1, never a stack trace or a crash.
 */

after(removeTempDirs);

export const MODEL_FAULT_SEED = 0x5eed05;
let good: string;
let docs: string;
before(async () => {
  good = await testModelDir('reranker');
  docs = join(await tempDir('sift-rel-docs-'), 'docs.jsonl');
  await writeFile(docs, '"Berlin has 3.5 million inhabitants."\n"Rome is old."\n');
});

type Fault = [name: string, file: string, damage: (bytes: Buffer) => Buffer | string];
const rng = prng(MODEL_FAULT_SEED);
const FAULTS: Fault[] = [
  ['onnx truncated to half', 'onnx/model.onnx', (b) => b.subarray(0, Math.floor(b.length / 2))],
  ['onnx truncated to 100 bytes', 'onnx/model.onnx', (b) => b.subarray(0, 100)],
  ['onnx replaced by random bytes', 'onnx/model.onnx', (b) => Buffer.from(rng.bytes(b.length))],
  [
    'onnx with 64 random bytes flipped in the header',
    'onnx/model.onnx',
    (b) => {
      const c = Buffer.from(b);
      for (let i = 0; i < 64; i++) c[rng.int(0, Math.min(4096, c.length - 1))] = rng.int(0, 255);
      return c;
    },
  ],
  ['onnx empty', 'onnx/model.onnx', () => Buffer.alloc(0)],
  ['onnx an HTML error page', 'onnx/model.onnx', () => '<html><body>502 Bad Gateway</body></html>'],
  ['tokenizer.json truncated', 'tokenizer.json', (b) => b.subarray(0, Math.floor(b.length / 3))],
  ['tokenizer.json valid JSON, wrong shape', 'tokenizer.json', () => '{"model": 42}'],
  ['config.json truncated', 'config.json', (b) => b.subarray(0, Math.floor(b.length / 2))],
];

async function damaged(file: string, damage: Fault[2]): Promise<string> {
  const dir = join(await tempDir('sift-rel-model-'), 'model');
  await cp(good, dir, { recursive: true });
  await writeFile(join(dir, file), damage(await readFile(join(dir, file))));
  return dir;
}

for (const [name, file, damage] of FAULTS) {
  test(`model fault: ${name} -> MODEL_INVALID naming ${file} and the fix`, async () => {
    const dir = await damaged(file, damage);
    const judge = new CrossEncoderReranker({ model: dir });
    await assert.rejects(judge.load(), (err) => {
      assert.ok(isSiftError(err, 'MODEL_INVALID'), `MODEL_INVALID, got ${String(err)}`);
      assert.ok(
        err.message.includes(join(dir, file)) || (err.message.includes(dir) && err.message.includes(basename(file))),
        `names the file: ${err.message}`,
      );
      assert.match(err.message, /sift models pull|provide the Hub layout/, `says how to fix it: ${err.message}`);
      return true;
    });
    await judge.close();
  });
}

test('the CLI prints a damaged model as one line and exit code 1, no stack trace', async () => {
  const dir = await damaged('onnx/model.onnx', (b) => b.subarray(0, Math.floor(b.length / 2)));
  const r = await runCli(['rerank', 'How many people live in Berlin?', '--docs', docs, '--reranker', dir]);
  assert.equal(r.code, 1, r.stderr);
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  assert.match(r.stderr, /^sift: .*onnx\/model\.onnx.*sift models pull/);
});
