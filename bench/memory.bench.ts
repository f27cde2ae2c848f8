/**
 * The judge's memory: resident set after loading, peak while reranking 20 candidates, and drift over
 * many rerank calls of varying shape (1–3 candidates of 30–150 characters, so every call pads to a
 * new width and exercises onnxruntime's allocations for dynamic shapes). Drift is the resident set
 * at the end minus the resident set after the first 10 % of calls (allocators warm up first).
 */
import type { ModelDtype } from '../src/models/model-spec.js';
import { DEFAULT_DTYPE } from '../src/models/model-files.js';
import { DEFAULT_RERANK_BATCH_SIZE } from '../src/reranking/cross-encoder.js';
import { benchJudge } from './support/judges.js';
import { JUDGE_MODEL, modelFolder } from './support/models.js';
import { scifactCandidates } from './support/scifact.js';
import { round } from './support/stats.js';
import type { BenchFigure, BenchSuite } from './support/suite.js';

const MB = 2 ** 20;

function rssMB(): number {
  (globalThis as { gc?: () => void }).gc?.();
  return process.memoryUsage().rss / MB;
}

/** Least-squares slope of y over x. */
function slope(xs: readonly number[], ys: readonly number[]): number {
  const n = xs.length;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += (xs[i]! - mx) * (ys[i]! - my);
    den += (xs[i]! - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}

const suite: BenchSuite = {
  name: 'memory',
  title: 'Judge memory: RSS after load, peak RSS, RSS drift over 10,000 rerank calls',
  async run({ quick, log }) {
    const folder = modelFolder(JUDGE_MODEL);
    if ('missing' in folder) return { figures: [], notes: [], skipped: folder.missing };
    const calls = quick ? 200 : 10_000;
    const dtype: ModelDtype = DEFAULT_DTYPE;
    const { sets } = await scifactCandidates({ queries: 50, perQuery: 20 });
    const before = rssMB();
    const judge = benchJudge(dtype);
    await judge.load();
    const loaded = rssMB();
    // The full workload first: 20 candidates of ~500 characters, a few times.
    for (const set of sets.slice(0, 5)) await judge.rerank(set.query, set.texts, { topK: 4 });
    const afterFull = rssMB();

    log(`${calls} rerank calls of varying shape`);
    const xs: number[] = [];
    const ys: number[] = [];
    const warm = Math.floor(calls / 10);
    let warmRss = 0;
    const started = performance.now();
    for (let c = 0; c < calls; c++) {
      const set = sets[c % sets.length]!;
      const k = 1 + (c % 3);
      const chars = 30 + ((c * 37) % 121);
      const docs = set.texts.slice(c % 16, (c % 16) + k).map((t) => t.slice(0, chars));
      await judge.rerank(set.query, docs, { topK: 1 });
      if ((c + 1) % Math.max(1, Math.floor(calls / 50)) === 0) {
        const rss = rssMB();
        if (c + 1 >= warm) {
          xs.push(c + 1);
          ys.push(rss);
        }
        if (c + 1 === warm || (warmRss === 0 && c + 1 > warm)) warmRss = rss;
      }
      if ((c + 1) % Math.max(1, Math.floor(calls / 5)) === 0) log(`${c + 1} calls, RSS ${rssMB().toFixed(0)} MB`);
    }
    const seconds = (performance.now() - started) / 1000;
    const end = rssMB();
    await judge.close();
    const peak = process.resourceUsage().maxRSS / 1024;
    const common = { model: JUDGE_MODEL, dtype };
    const figures: BenchFigure[] = [
      {
        ...common,
        metric: 'memory.rss.loaded',
        value: round(loaded - before),
        unit: 'MB',
        note: `RSS added by loading the judge (${before.toFixed(0)} MB before)`,
      },
      {
        ...common,
        metric: 'memory.rss.afterFullRerank',
        value: round(afterFull),
        unit: 'MB',
        note: 'RSS after five reranks of 20 candidates of ~500 characters',
      },
      {
        ...common,
        metric: 'memory.rss.peak',
        value: round(peak),
        unit: 'MB',
        note: 'peak RSS of the process (maxRSS)',
      },
      {
        ...common,
        metric: 'memory.rss.drift',
        value: round(end - warmRss),
        unit: 'MB',
        params: { calls, warmUpCalls: warm },
        note: `RSS at the end minus RSS after ${warm} calls`,
      },
      {
        ...common,
        metric: 'memory.rss.slope',
        value: round(slope(xs, ys) * 1000),
        unit: 'MB per 1000 calls',
        params: { calls },
        note: 'least-squares slope of RSS after warm-up',
      },
      { ...common, metric: 'memory.calls.rate', value: round(calls / seconds), unit: 'calls/s', params: { calls } },
    ];
    return {
      figures,
      notes: [
        quick
          ? `--quick: ${calls} calls instead of 10,000; the drift figure is over ${calls} calls.`
          : `${calls} calls (the issue's 10,000).`,
        `Judge at the defaults (dtype ${dtype}, onnxruntime's thread count, batch ${DEFAULT_RERANK_BATCH_SIZE}); RSS sampled ${xs.length} times after a forced GC when the process runs with --expose-gc (the runner does).`,
      ],
    };
  },
};

export default suite;
