import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { CrossEncoderReranker } from '../../src/reranking/cross-encoder.js';
import { DEFAULT_WINDOW_OVERLAP } from '../../src/reranking/long-documents.js';
import { RemoteReranker } from '../../src/reranking/remote/remote-reranker.js';
import { loadTokenizer } from '../../src/tokenization/load-tokenizer.js';
import { KEYWORD, KEYWORD_JUDGE_MAX_LENGTH, KEYWORD_LOGITS, keywordJudgeDir } from '../support/keyword-model.js';
import { expectSiftError } from '../support/expect-sift-error.js';
import { testModelDir } from '../support/test-models.js';

const QUERY = 'Where do the animals of the savanna live?';
/** Prose of ~`words` words with no keyword in it. */
const filler = (words: number, seed = 0) =>
  Array.from(
    { length: words },
    (_, i) => ['grass', 'covers', 'the', 'wide', 'plain,', 'and', 'rain', 'falls', 'in', 'spring.'][(i + seed) % 10],
  ).join(' ');

const judges: CrossEncoderReranker[] = [];
async function keywordJudge(): Promise<CrossEncoderReranker> {
  const judge = new CrossEncoderReranker({ model: await keywordJudgeDir() });
  judges.push(judge);
  return judge;
}
after(async () => {
  for (const j of judges) await j.close();
});

test('a document whose only relevant sentence lies past the limit ranks first with window, not with truncate', async () => {
  const judge = await keywordJudge();
  assert.equal((await judge.load()).maxLength, KEYWORD_JUDGE_MAX_LENGTH);
  const long = `${filler(150)} A ${KEYWORD} drinks at the river.`;
  const docs = ['Lions rest in the shade.', long, 'Rain falls in spring.'];

  const truncated = await judge.rerank(QUERY, docs);
  assert.notEqual(truncated.results[0]!.index, 1, 'truncate never reads the sentence');
  const longResult = truncated.results.find((r) => r.index === 1)!;
  assert.equal(longResult.logit, KEYWORD_LOGITS.miss);
  assert.equal(longResult.truncated, true);
  assert.equal(longResult.window, undefined, 'no window information in truncate mode');

  const windowed = await judge.rerank(QUERY, docs, { longDocuments: 'window' });
  const first = windowed.results[0]!;
  assert.equal(first.index, 1);
  assert.equal(first.logit, KEYWORD_LOGITS.hit);
  assert.equal(first.truncated, false, 'every token was read');
  const win = first.window!;
  assert.ok(win.count > 3, `a 150-word document needs several 64-token windows, got ${win.count}`);
  assert.ok(
    win.index >= win.count - 2,
    `the sentence is in the last window or the overlap before it, got window ${win.index} of ${win.count}`,
  );
  assert.ok(long.slice(win.charStart, win.charEnd).includes(KEYWORD), 'the winning window covers the keyword');
  // Documents that fit are read exactly as in truncate mode: one window, the same score.
  for (const r of windowed.results.filter((x) => x.index !== 1)) {
    assert.equal(r.window!.count, 1);
    assert.equal(r.logit, truncated.results.find((x) => x.index === r.index)!.logit);
  }
});

test('window offsets cover the text with the stated overlap, token for token', async () => {
  const judge = await keywordJudge();
  const { dir } = await judge.load();
  const { tokenizer } = await loadTokenizer(join(dir, 'tokenizer.json'));
  const text = `${filler(200, 3)} Zebras, 3,520,031 of them: naïve counts (roughly)!`;
  const all = tokenizer.encode(text, { add_special_tokens: false }).ids;
  const query = tokenizer.encode(QUERY, { add_special_tokens: false }).ids;
  const budget = KEYWORD_JUDGE_MAX_LENGTH - 3 - query.length; // [CLS] q [SEP] passage [SEP]

  for (const overlap of [0, 8, 20]) {
    const [plan] = await judge.planWindows(QUERY, [text], { windowOverlap: overlap, maxWindows: 100 });
    const windows = plan!.windows;
    assert.equal(plan!.truncated, false);
    assert.equal(windows[0]!.tokenStart, 0);
    assert.equal(windows.at(-1)!.tokenEnd, all.length, 'the last window ends at the last token');
    windows.forEach((w, k) => {
      assert.deepEqual(w.ids, all.slice(w.tokenStart, w.tokenEnd), `window ${k} holds the text's own tokens`);
      if (k < windows.length - 1) assert.equal(w.ids.length, budget, `window ${k} fills the passage budget`);
      if (k > 0) {
        const prev = windows[k - 1]!;
        assert.equal(w.tokenStart, prev.tokenEnd - overlap, `windows ${k - 1} and ${k} share ${overlap} tokens`);
        assert.equal(text.slice(prev.charEnd, w.charStart).trim(), '', 'no word falls between windows');
      }
      const span = text.slice(w.charStart, w.charEnd);
      assert.equal(span, span.trim(), 'spans start and end on words');
    });
    assert.equal(windows[0]!.charStart, 0);
    assert.equal(windows.at(-1)!.charEnd, text.length);
  }

  // An overlap of more than half a window is held to half, so windows always advance.
  const [half] = await judge.planWindows(QUERY, [text], { windowOverlap: 1000, maxWindows: 100 });
  assert.equal(half!.windows[1]!.tokenStart, budget - Math.floor(budget / 2));
  const [byDefault] = await judge.planWindows(QUERY, [text], { maxWindows: 100 });
  assert.equal(byDefault!.windows[1]!.tokenStart, budget - Math.min(DEFAULT_WINDOW_OVERLAP, Math.floor(budget / 2)));
});

test("a window's score is independent of its batch neighbours, and a document's score is its best window's", async () => {
  // The random-weight BERT judge, held to 40 tokens a pair so that every document needs windows; fp32,
  // whose scores do not depend on batch neighbours at any batch size (int8's only at its default of 1).
  const judge = new CrossEncoderReranker({ model: await testModelDir('reranker'), maxLength: 40, dtype: 'fp32' });
  judges.push(judge);
  const docs = [filler(90, 1), filler(30, 2), `${filler(60, 5)} The herd moves north in the dry season.`, 'Short.'];
  const alone = await Promise.all(
    docs.map(async (d) => judge.scoreWindows(QUERY, [d], { batchSize: 1, windowOverlap: 6 })),
  );
  for (const batchSize of [2, 5, 64]) {
    const together = await judge.scoreWindows(QUERY, docs, { batchSize, windowOverlap: 6 });
    together.logits.forEach((l, i) => {
      assert.ok(
        Math.abs(l - alone[i]!.logits[0]!) < 1e-5,
        `batch ${batchSize}, document ${i}: ${l} vs ${alone[i]!.logits[0]}`,
      );
      assert.deepEqual(together.windows[i], alone[i]!.windows[0]);
    });
  }

  const plans = await judge.planWindows(QUERY, docs, { windowOverlap: 6 });
  const windowed = await judge.scoreWindows(QUERY, docs, { windowOverlap: 6 });
  for (const [d, plan] of plans.entries()) {
    const each = await judge.scoreQueryPairs(
      plan.windows.map((w) => ({ query: QUERY, text: docs[d]!, passageIds: w.ids })),
    );
    const best = Math.max(...each.logits);
    assert.ok(Math.abs(windowed.logits[d]! - best) < 1e-6, `document ${d} gets its best window`);
    assert.equal(windowed.windows[d]!.index, [...each.logits].indexOf(best));
    assert.equal(windowed.windows[d]!.count, plan.windows.length);
  }
  assert.ok(
    new Set(plans.map((p) => p.windows.length)).size > 1,
    'documents of different lengths get different window counts',
  );
});

test('maxDocumentTokens cuts what is read; a document past maxWindows is refused by index', async () => {
  const judge = await keywordJudge();
  const long = `${filler(150)} A ${KEYWORD} drinks at the river.`;
  const cut = await judge.rerank(QUERY, [long], { longDocuments: 'window', maxDocumentTokens: 100 });
  assert.equal(cut.results[0]!.logit, KEYWORD_LOGITS.miss, 'the keyword lies past the first 100 tokens');
  assert.equal(cut.results[0]!.truncated, true);
  const [plan] = await judge.planWindows(QUERY, [long], { maxDocumentTokens: 100 });
  assert.equal(plan!.windows.at(-1)!.tokenEnd, 100, 'windows stop at the 100th token');
  assert.equal(cut.results[0]!.window!.count, plan!.windows.length);
  assert.equal(cut.truncatedPairs, 1);

  const err = await expectSiftError(
    judge.rerank(QUERY, ['fits', long], { longDocuments: 'window', maxWindows: 2 }),
    'INVALID_INPUT',
    /^sift: document 1 is longer than 2 windows of \d+ tokens can read .*maxDocumentTokens/,
  );
  assert.equal(err.details?.field, 'documents[1]');
  await expectSiftError(
    judge.rerank(QUERY, [long], { longDocuments: 'sliding' as 'window' }),
    'INVALID_OPTION',
    /`longDocuments` must be "truncate" or "window"/,
  );
  await expectSiftError(
    judge.rerank(QUERY, [long], { longDocuments: 'window', windowOverlap: -1 }),
    'INVALID_OPTION',
    /`windowOverlap` must be a whole number >= 0/,
  );
});

test('a remote judge refuses window mode rather than silently truncating', async () => {
  const remote = new RemoteReranker({ url: 'http://127.0.0.1:9/rerank#tei' });
  await expectSiftError(
    remote.rerank(QUERY, ['a'], { longDocuments: 'window' }),
    'INVALID_OPTION',
    /`longDocuments` "window" needs a local cross-encoder/,
  );
  await remote.close();
});
