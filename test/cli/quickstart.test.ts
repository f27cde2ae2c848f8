import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { removeTempDirs, tempDir } from '../ingest/make-corpus.js';
import { runCli } from '../support/run-cli.js';
import { writeModelFolder } from '../../tools/model-gen/write-model-folder.js';

after(removeTempDirs);

/**
 * The commands of `npm run quickstart` as package.json has them (`node bin/sift.js … && node bin/sift.js …`),
 * each as its sift arguments, with the store moved to `store` so the test never touches the checkout's `.sift`.
 */
async function quickstartCommands(store: string): Promise<string[][]> {
  const pkg = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8')) as {
    scripts: Record<string, string>;
  };
  return pkg.scripts.quickstart!.split('&&').map((command) => {
    const words = [...command.trim().matchAll(/"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2]!);
    assert.deepEqual(words.slice(0, 2), ['node', 'bin/sift.js'], `quickstart runs sift: ${command}`);
    const args = words.slice(2);
    const at = args.indexOf('--store');
    assert.ok(at > 0, `quickstart names its store: ${command}`);
    args[at + 1] = store;
    return args;
  });
}

test('npm run quickstart with only the scout on the machine: ingests, shows stage 1, then one line saying the judge is missing and how to get it', async () => {
  // A models root holding just the default embedder under its canonical name (generated, random
  // weights, with the real one's output width 384 that stores record; one layer and a 2,000-token
  // vocabulary keep it small), an empty download cache, offline: the judge cannot be found or fetched.
  const root = await tempDir('sift-quickstart-');
  await writeModelFolder(join(root, 'models', 'sentence-transformers', 'all-MiniLM-L6-v2'), {
    model: {
      vocabSize: 2000,
      hiddenSize: 384,
      numLayers: 1,
      numHeads: 12,
      intermediateSize: 384,
      maxPositions: 512,
      typeVocabSize: 2,
      seed: 8,
      head: 'feature-extraction',
      initStd: 0.05,
    },
  });
  const env = { SIFT_MODELS_DIR: join(root, 'models'), SIFT_CACHE_DIR: join(root, 'cache'), SIFT_OFFLINE: '1' };
  const [ingest, query, ...rest] = await quickstartCommands(join(root, 'store'));
  assert.equal(rest.length, 0);

  const ingested = await runCli(ingest!, { env });
  assert.equal(ingested.code, 0, ingested.stderr);
  assert.match(ingested.stdout, /ingested 6 files/);

  const asked = await runCli(query!, { env });
  assert.equal(asked.code, 1, 'no re-ranking is a failure of the command');
  const lines = asked.stdout.trimEnd().split('\n');
  assert.match(lines.at(-1)!, /^4 results \(hybrid, not re-ranked\)/);
  assert.equal(lines.filter((l) => /^ {2}\d {2}\d\.\d{3} .*examples\/docs\//.test(l)).length, 4, asked.stdout);
  const stderr = asked.stderr.trim().split('\n');
  assert.equal(stderr.length, 1, `one line on stderr: ${asked.stderr}`);
  assert.match(
    stderr[0]!,
    /^sift: the judge could not be loaded \(.*not on this machine.*offline mode \(--offline, .*\), so the results above are stage 1 only/,
  );
  assert.match(
    stderr[0]!,
    /get it with `sift models pull cross-encoder\/ms-marco-MiniLM-L-6-v2` or set SIFT_MODELS_DIR/,
  );

  const json = await runCli([...query!, '--json'], { env });
  assert.equal(json.code, 1);
  const out = JSON.parse(json.stdout);
  assert.equal(out.reranker, null);
  assert.equal(out.results.length, 4);
  assert.ok(
    out.results.every((r: { score: unknown; retrievalScore: number }) => r.score === null && r.retrievalScore > 0),
  );
  assert.equal(out.error.code, 'MODEL_NOT_FOUND');
});
