/**
 * The contract between `bench/run.ts` and the suites. A suite is one `*.bench.ts` file whose default
 * export is a {@link BenchSuite}; the runner starts each in its own Node process (so peak RSS, thread
 * pools and JIT state of one suite never leak into the next) and collects the {@link SuiteResult}.
 */

/** One measured number. Every figure names its unit and, when a model produced it, the model and dtype. */
export interface BenchFigure {
  /** Metric key, e.g. `judge.latency.p50` or `judge.throughput`. */
  metric: string;
  value: number;
  /** `ms`, `pairs/s`, `chunks/s`, `GFLOP/s`, `MB`, `ratio`, `fraction`, ... */
  unit: string;
  /** The model folder name that produced it (`sift-random/ms-marco-MiniLM-L-6-v2`), or none for model-free figures. */
  model?: string;
  /** `fp32` or `q8` when a model produced it. */
  dtype?: string;
  /** Intra-op threads. */
  threads?: number;
  /** Pairs or texts per inference batch. */
  batchSize?: number;
  /** Any other setting that tells this figure from its neighbours (`variant: 'unsorted'`, `calls: 10000`). */
  params?: Record<string, string | number | boolean>;
  /** How it was measured, when the metric key does not say (`median of 7 interleaved repetitions`). */
  note?: string;
}

/** What a suite reports. */
export interface SuiteResult {
  figures: BenchFigure[];
  /** Short remarks printed under the suite's table: method, sample sizes, caveats. */
  notes: string[];
  /** Set when the suite could not run here (missing model files, missing data); says why. */
  skipped?: string;
}

/** What the runner hands a suite. */
export interface SuiteContext {
  /** `--quick`: fewer repetitions and configurations, so the whole run stays under 3 minutes. */
  quick: boolean;
  /** Progress lines (stderr), so `--json` keeps stdout to the one JSON object. */
  log: (line: string) => void;
}

export interface BenchSuite {
  /** Short name, also the file name stem (`judge` for `judge.bench.ts`). */
  name: string;
  /** One line saying what the suite measures. */
  title: string;
  run(context: SuiteContext): Promise<SuiteResult>;
}
