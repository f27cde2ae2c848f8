/**
 * The judge's int8 recipe on a trained cross-encoder head and real data: `JUDGE_INT8_RECIPE` (the
 * default judge's dtype where 8-bit weights are safe) must rank SciFact test candidates like fp32. The
 * head is `sift-lab/minilm-l6-judge` from ../shared: a weak cross-encoder trained on this machine from
 * all-MiniLM-L6-v2 (on SciFact *train*; this test reads the test split). It is not the published
 * ms-marco model and says nothing of sift's quality; it stands in as a trained MiniLM-L6 head whose
 * activations int8 must survive. The bench measured the recipe on 300 queries x 50 candidates
 * (bench/RESULTS.md); this slice keeps that check in the suite.
 *
 * The slice: the first 20 judged test claims, each with its judged abstracts and the unjudged
 * abstracts sharing the most words with it, 16 candidates a claim (title + text, first 500 characters).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadBeirDataset } from '../../src/eval/datasets/load-beir-dataset.js';
import type { EvalDocument } from '../../src/eval/types.js';
import { CrossEncoderReranker } from '../../src/reranking/cross-encoder.js';
import { JUDGE_INT8_RECIPE } from '../../src/runtime/int8/int8-recipe.js';
import { spearman } from '../../bench/support/rank-agreement.js';
import { realModelDir, sharedDir } from '../support/test-models.js';

const QUERIES = 20;
const CANDIDATES = 16;

const scifact = join(sharedDir(), 'data', 'scifact');
const judgeDir = realModelDir('sift-lab', 'minilm-l6-judge');
const skip = !judgeDir
  ? 'skipped: no sift-lab/minilm-l6-judge at SIFT_MODELS_DIR or ../shared/models (a trained cross-encoder head is needed)'
  : !existsSync(scifact)
    ? `skipped: no SciFact at ${scifact}`
    : false;

const words = (text: string): Set<string> => new Set(text.toLowerCase().match(/[a-z0-9]{3,}/g) ?? []);

test(
  "the judge's int8 recipe ranks SciFact test candidates like fp32 on a trained head (sift-lab judge)",
  { skip },
  async (t) => {
    const ds = await loadBeirDataset(scifact, { limit: QUERIES });
    const corpus: EvalDocument[] = [];
    for await (const d of ds.corpus) corpus.push(d);
    const bags = corpus.map((d) => words(`${d.title} ${d.text}`));
    const fp32 = new CrossEncoderReranker({ model: judgeDir!, dtype: 'fp32' });
    const int8 = new CrossEncoderReranker({ model: judgeDir!, dtype: 'int8', int8Recipe: JUDGE_INT8_RECIPE });
    const a: number[] = [];
    const b: number[] = [];
    let sameTop = 0;
    try {
      assert.equal((await int8.load()).dtype, 'int8');
      for (const q of ds.queries) {
        const judged = new Set(ds.qrels.get(q.id)?.keys() ?? []);
        const qw = words(q.text);
        const overlap = (i: number) => [...qw].filter((w) => bags[i]!.has(w)).length;
        const near = corpus
          .map((_, i) => i)
          .filter((i) => !judged.has(corpus[i]!.id))
          .sort((x, y) => overlap(y) - overlap(x) || x - y);
        const picked = [...corpus.flatMap((d, i) => (judged.has(d.id) ? [i] : [])), ...near].slice(0, CANDIDATES);
        const texts = picked.map((i) => `${corpus[i]!.title}. ${corpus[i]!.text}`.slice(0, 500));
        const x = (await fp32.scorePairs(q.text, texts)).logits;
        const y = (await int8.scorePairs(q.text, texts)).logits;
        a.push(...x);
        b.push(...y);
        const top = (l: Float64Array) => l.indexOf(Math.max(...l));
        if (top(x) === top(y)) sameTop++;
      }
    } finally {
      await fp32.close();
      await int8.close();
    }
    const rho = spearman(a, b);
    t.diagnostic(
      `Spearman ${rho.toFixed(4)} over ${a.length} pairs; the same best candidate for ${sameTop} of ${QUERIES} claims`,
    );
    assert.ok(rho >= 0.99, `Spearman ${rho.toFixed(4)} between int8 and fp32 logits over ${a.length} pairs`);
    assert.ok(sameTop >= QUERIES - 2, `the same best candidate for ${sameTop} of ${QUERIES} claims`);
  },
);
