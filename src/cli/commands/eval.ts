import type { Command } from 'commander';
import { DEFAULT_CANDIDATES, DEFAULT_RERANKER } from '../../pipeline/defaults.js';
import { SiftError } from '../../errors.js';
import { evaluateDataset } from '../../eval/evaluate-dataset.js';
import { parseCutoffs } from '../../eval/metrics/metric-keys.js';
import { beforeAfterLines } from '../../eval/report/before-after.js';
import { buildEvalReport } from '../../eval/report/eval-report.js';
import { formatRunsTable } from '../../eval/report/runs-table.js';
import {
  formatGroupTables,
  formatSignificanceTable,
  pairedLine,
  significanceCaption,
} from '../../eval/report/significance-table.js';
import { formatSweepTable } from '../../eval/report/sweep-table.js';
import { writeReportFiles } from '../../eval/report/write-report-files.js';
import { writePerQueryFile } from '../../eval/report/per-query-file.js';
import { findModel } from '../../models/registry.js';
import { parseHeadingContext } from '../../chunking/heading-context.js';
import { addModelFlags, modelLoadOptions, type ModelFlags } from '../model-flags.js';
import { createProgress } from '../progress.js';
import { parseHybridDepth } from '../retrieval-flags.js';
import { parseNumberInRange, parsePositiveInt, printJson, runCommand } from '../run-command.js';

interface EvalFlags extends ModelFlags {
  dataset?: string;
  split: string;
  limit?: string;
  store?: string;
  embedder?: string;
  mode?: string;
  reranker?: string;
  rerank: boolean;
  candidates?: string;
  k?: string;
  chunkSize?: string;
  chunkOverlap?: string;
  out?: string;
  sweep?: boolean;
  latencyBudgetMs?: string;
  seed?: string;
  headingContext?: string;
  fusion?: string;
  hybridDepth?: string;
  reuseVectors?: string;
}

/** The rerankers a `--sweep` compares when none are named: the MiniLM family, small to large. */
const SWEEP_RERANKERS = [
  'cross-encoder/ms-marco-TinyBERT-L-2-v2',
  'cross-encoder/ms-marco-MiniLM-L-6-v2',
  'cross-encoder/ms-marco-MiniLM-L-12-v2',
];

/** `sift eval --dataset DIR|FILE.jsonl`: measures what re-ranking buys and costs on a dataset. */
export function registerEval(program: Command): void {
  const command = program
    .command('eval')
    .description(
      'evaluate stage 1 alone and with re-ranking on a BEIR dataset or a labelled query file: P@k, R@k, Hit@k, MRR, nDCG, latency, ' +
        'paired significance of each gain, per-tag breakdown and a "should I re-rank?" verdict per stage-1 mode',
    )
    .option(
      '--dataset <path>',
      'a BEIR folder (corpus.jsonl[.gz], queries.jsonl, qrels/<split>.tsv) or a labelled .jsonl file',
    )
    .option('--split <name>', 'BEIR qrels split', 'test')
    .option('--limit <n>', 'only the first n queries (quick runs)')
    .option(
      '--store <dir>',
      'BEIR: where to ingest the corpus (default: a cached store per dataset and settings); labelled: the store to search (default .sift)',
    )
    .option('--embedder <name>', 'embedder for dense and hybrid (default all-MiniLM-L6-v2; none: BM25 only)')
    .option('--mode <list>', 'stage-1 modes, comma-separated: dense,bm25,hybrid (default: all the store supports)')
    .option('--reranker <list>', `rerankers, comma-separated (default ${DEFAULT_RERANKER})`)
    .option('--no-rerank', 'stage 1 only')
    .option(
      '--candidates <list>',
      `candidate counts judged by the reranker, comma-separated (default ${DEFAULT_CANDIDATES}; --sweep: 10,20,50)`,
    )
    .option('--k <list>', 'cut-offs for P@k, R@k and Hit@k (default 1,3,4,10,20)')
    .option('--chunk-size <n>', 'chunk size when ingesting a BEIR corpus (default 500)')
    .option('--chunk-overlap <n>', 'chunk overlap when ingesting a BEIR corpus (default 50)')
    .option('--out <dir>', 'write report.html (charts), summary.md and results.json')
    .option('--sweep', 'compare rerankers and candidate counts: the model-selection table')
    .option(
      '--latency-budget-ms <ms>',
      'recommend re-ranking only when total p95 per query (stage 1 + re-ranking) stays within this many ms',
    )
    .option(
      '--seed <n>',
      'seed of the paired significance tests (randomization p-value, bootstrap interval; default 42)',
    )
    .option(
      '--heading-context <list>',
      'stages that read heading path (BEIR: title) + chunk: scout,bm25,judge, all or none (default bm25, as search)',
    )
    .option(
      '--reuse-vectors <store>',
      'BEIR: reuse the vectors of identical passages from a store built with the same embedder and --dtype (heading-context variants re-embed only what changed)',
    )
    .option(
      '--fusion <list>',
      'hybrid fusions to compare, comma-separated: rrf:K, rrf:K:ALPHA (weighted), minmax:ALPHA, zscore:ALPHA, tmm:ALPHA (ALPHA: dense weight 0..1, 0.5 when left out; default tmm:0.8, as search)',
    )
    .option(
      '--hybrid-depth <n>',
      'hybrid: candidates fetched from dense and from BM25 before fusing (default 100, as search; measured 30, 50 and 100)',
    )
    .option(
      '--json',
      'print {"dataset", "split", "queries", "runs": [...], "significance", "recommendations", "groups"} as JSON',
    );
  addModelFlags(command).action((flags: EvalFlags) =>
    runCommand(flags, async () => {
      if (!flags.dataset)
        throw new SiftError('INVALID_OPTION', '--dataset is required: a BEIR folder or a labelled .jsonl file');
      const list = (v: string | undefined) =>
        v
          ?.split(',')
          .map((s) => s.trim())
          .filter(Boolean);
      const rerankers = !flags.rerank
        ? []
        : (list(flags.reranker) ?? (flags.sweep ? SWEEP_RERANKERS : [DEFAULT_RERANKER]));
      if (flags.sweep && rerankers.length === 0)
        throw new SiftError('INVALID_OPTION', '--sweep compares rerankers; it cannot go with --no-rerank');
      const candidates =
        flags.candidates !== undefined
          ? parseCutoffs(flags.candidates, '--candidates')
          : flags.sweep
            ? [10, 20, 50]
            : [DEFAULT_CANDIDATES];
      const k = flags.k !== undefined ? parseCutoffs(flags.k, '--k') : undefined;
      const latencyBudgetMs = parseNumberInRange('--latency-budget-ms', flags.latencyBudgetMs, 0.001, 3_600_000);
      const seed = parseNumberInRange('--seed', flags.seed, 0, 4_294_967_295);
      if (seed !== undefined && !Number.isInteger(seed))
        throw new SiftError('INVALID_OPTION', `--seed must be a whole number, got "${flags.seed}"`);
      const models = modelLoadOptions(flags);
      const progress = createProgress({ quiet: flags.json === true });
      let phase = '';
      const evaluation = await evaluateDataset({
        dataset: flags.dataset,
        split: flags.split,
        limit: flags.limit !== undefined ? parsePositiveInt('--limit', flags.limit, 1) : undefined,
        store: flags.store,
        embedder: flags.embedder,
        modes: list(flags.mode),
        rerankers,
        candidates,
        metrics: k ? { k } : undefined,
        chunkSize: flags.chunkSize !== undefined ? parsePositiveInt('--chunk-size', flags.chunkSize, 500) : undefined,
        chunkOverlap: flags.chunkOverlap !== undefined ? Number(flags.chunkOverlap) : undefined,
        models,
        headingContext: flags.headingContext !== undefined ? parseHeadingContext(flags.headingContext) : undefined,
        fusions: list(flags.fusion),
        hybridDepth: flags.hybridDepth !== undefined ? parseHybridDepth(flags.hybridDepth) : undefined,
        reuseVectors: flags.reuseVectors,
        onIngestProgress: (docs, chunks) => {
          if (phase !== 'ingest') {
            phase = 'ingest';
            progress.start(0, 'ingesting corpus');
          }
          progress.update(docs, { chunks });
        },
        onProgress: (done, total, config) => {
          if (phase !== 'eval') {
            progress.stop();
            phase = 'eval';
            progress.start(total, 'evaluating');
          }
          progress.update(done, { run: config.name });
        },
      });
      progress.stop();
      const report = buildEvalReport({
        dataset: evaluation.dataset,
        split: evaluation.split,
        runs: evaluation.runs,
        queryText: evaluation.queryText,
        queryTags: evaluation.queryTags,
        sweep: flags.sweep === true,
        latencyBudgetMs,
        ...(seed !== undefined ? { seed } : {}),
      });
      const files = flags.out ? await writeReportFiles(report, flags.out) : undefined;
      if (flags.out) await writePerQueryFile(evaluation.runs, flags.out);
      if (flags.json) {
        printJson({ ...report.json, store: evaluation.store, ingest: evaluation.ingest, ...(files ? { files } : {}) });
        return;
      }
      const out: string[] = [
        `${evaluation.dataset} (${evaluation.split}): ${report.json.queries} queries, store ${evaluation.store}`,
        '',
        formatRunsTable(report),
      ];
      for (const c of report.comparisons) {
        const base = evaluation.runs.find((r) => r.name === c.base);
        const reranked = evaluation.runs.find((r) => r.name === c.reranked);
        if (base && reranked) out.push('', `${reranked.name}:`, ...beforeAfterLines(base, reranked, report.headline));
        const paired = report.json.significance.comparisons.find((s) => s.base === c.base && s.other === c.reranked);
        if (paired) out.push(pairedLine(paired.metrics));
      }
      if (report.json.significance.comparisons.length > 0) {
        out.push(
          '',
          'Is the gain real? (paired over queries)',
          formatSignificanceTable(report),
          significanceCaption(report),
        );
      }
      if (flags.sweep) {
        out.push(
          '',
          'Model selection:',
          formatSweepTable(evaluation.runs, {
            sizeMB: (name) => findModel(name, 'reranker')?.sizeMB[flags.dtype === 'q8' ? 'q8' : 'fp32'],
          }),
        );
      }
      if (report.json.groups.length > 0) out.push('', 'By tag:', '', formatGroupTables(report));
      if (report.json.recommendations.length > 0) {
        out.push(
          '',
          'Should I re-rank?' +
            (latencyBudgetMs !== undefined ? ` (latency budget ${latencyBudgetMs}ms, total p95)` : ''),
        );
        for (const r of report.json.recommendations) out.push(`  ${r.line}`);
      }
      if (files) out.push('', `report: ${files.html}`, `summary: ${files.markdown}`, `results: ${files.json}`);
      process.stdout.write(`${out.join('\n')}\n`);
    }),
  );
}
