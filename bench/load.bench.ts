/**
 * Load on `sift serve` over loopback with autocannon: 32 connections for 30 s each on `/v1/rerank`
 * (20 passages per request) and `/v1/search` (hybrid stage 1 over a store built with the hashing
 * embedder, 20 candidates judged, top 4), first with the tiny generated judge (the server's own
 * overhead: HTTP, validation, batching, store), then with the full-size random-weight MiniLM-L6 when
 * `npm run models:random` has written it. Reports requests, throughput, p50/p99, status counts (5xx
 * must be zero) and the server's resident set (sampled from /proc every 250 ms); then overload: a
 * small `--max-queue` under the same 32 connections must answer 429 (with Retry-After) and never crash.
 *
 * Run alone: `npx tsx bench/load.bench.ts [--quick]` (quick: 5 s per run, tiny judge only), or through `bench/run.ts`.
 * The server binds 127.0.0.1 only; every run is bounded in duration.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { testModelDir } from '../test/support/test-models.js';
import {
  buildLoadStore,
  count5xx,
  loadRun,
  rerankBody,
  sampleRss,
  startServe,
  type LoadFigures,
} from '../test/reliability/serve-load.js';
import { JUDGE_MODEL, modelFolder } from './support/models.js';
import type { BenchFigure, BenchSuite, SuiteContext, SuiteResult } from './support/suite.js';

const SEED = 0x10ad;
const CONNECTIONS = 32;

interface JudgeRun {
  judge: string;
  runs: LoadFigures[];
  rss: { min: number; max: number; samples: number };
}

async function loadJudge(
  label: string,
  judgeDir: string,
  store: string,
  durationS: number,
  log: (l: string) => void,
): Promise<JudgeRun> {
  const server = await startServe(['--store', store, '--reranker', judgeDir]);
  try {
    const rss = sampleRss(server.pid);
    const runs: LoadFigures[] = [];
    log(`load: ${label}: /v1/rerank, ${CONNECTIONS} connections, ${durationS} s`);
    runs.push(await loadRun(server.url, '/v1/rerank', rerankBody(SEED), { connections: CONNECTIONS, durationS }));
    log(`load: ${label}: /v1/search, ${CONNECTIONS} connections, ${durationS} s`);
    runs.push(
      await loadRun(
        server.url,
        '/v1/search',
        { query: 'which harbour trades copper and saffron?', top_k: 4, candidates: 20 },
        { connections: CONNECTIONS, durationS },
      ),
    );
    const mem = rss.stop();
    const health = await fetch(`${server.url}/health`);
    if (health.status !== 200) throw new Error(`${label}: /health answered ${health.status} after the load`);
    return { judge: label, runs, rss: { min: mem.min, max: mem.max, samples: mem.samples.length } };
  } finally {
    const code = await server.stop();
    if (code !== 0) log(`load: ${label}: sift serve exited with ${code}: ${server.stderr().slice(-500)}`);
  }
}

async function overload(
  judgeDir: string,
  store: string,
  durationS: number,
): Promise<{ figures: LoadFigures; retryAfter: string | null; crashed: boolean }> {
  const server = await startServe(['--store', store, '--reranker', judgeDir, '--max-queue', '64']);
  try {
    const figures = await loadRun(server.url, '/v1/rerank', rerankBody(SEED + 1), {
      connections: CONNECTIONS,
      durationS,
    });
    const burst = await Promise.all(
      Array.from({ length: CONNECTIONS }, () =>
        fetch(`${server.url}/v1/rerank`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(rerankBody(SEED + 2)),
        }),
      ),
    );
    await Promise.all(burst.map((r) => r.arrayBuffer()));
    const retryAfter = burst.find((r) => r.status === 429)?.headers.get('retry-after') ?? null;
    return { figures, retryAfter, crashed: server.child.exitCode !== null };
  } finally {
    await server.stop();
  }
}

function figuresOf(run: JudgeRun): BenchFigure[] {
  return run.runs
    .flatMap((f): BenchFigure[] => {
      const route = f.path === '/v1/rerank' ? 'rerank' : 'search';
      const params = {
        route: f.path,
        connections: f.connections,
        durationS: f.durationS,
        requests: f.requests,
        status5xx: count5xx(f),
      };
      return [
        { metric: `load.${route}.throughput`, value: f.throughput, unit: 'req/s', model: run.judge, params },
        { metric: `load.${route}.latency.p50`, value: f.p50Ms, unit: 'ms', model: run.judge, params },
        { metric: `load.${route}.latency.p99`, value: f.p99Ms, unit: 'ms', model: run.judge, params },
      ];
    })
    .concat([
      {
        metric: 'load.rss.max',
        value: run.rss.max,
        unit: 'MB',
        model: run.judge,
        params: { min: run.rss.min, samples: run.rss.samples },
      },
    ]);
}

const suite: BenchSuite = {
  name: 'load',
  title: `sift serve under load: ${CONNECTIONS} connections, /v1/rerank and /v1/search, zero 5xx, RSS; overload answers 429`,
  async run({ quick, log }: SuiteContext): Promise<SuiteResult> {
    const durationS = quick ? 5 : 30;
    const base = await mkdtemp(join(tmpdir(), 'sift-load-bench-'));
    try {
      const store = join(base, 'store');
      const chunks = await buildLoadStore(store, join(base, 'corpus'), SEED, 4, 40);
      const judges: [string, string][] = [['tiny test judge (2 layers, hidden 32)', await testModelDir('reranker')]];
      const full = modelFolder(JUDGE_MODEL, ['fp32']);
      const loadStart = loadavg()[0]!.toFixed(1);
      const notes: string[] = [
        `store: ${chunks} chunks (hashing-256 embedder), hybrid stage 1; rerank bodies: 20 passages of 60-200 characters; loopback, ${CONNECTIONS} connections, ${durationS} s per run`,
      ];
      // --quick keeps the whole run under 3 minutes: the full-size judge's load runs only in the full bench.
      if (quick) notes.push('full-size judge skipped in --quick mode (run without --quick for it)');
      else if ('dir' in full && existsSync(join(full.dir, 'onnx', 'model.onnx'))) judges.push([JUDGE_MODEL, full.dir]);
      else
        notes.push(
          `full-size judge skipped: ${'missing' in full ? full.missing : 'no onnx/model.onnx'} (npm run models:random writes it)`,
        );
      const runs: JudgeRun[] = [];
      for (const [label, dir] of judges) runs.push(await loadJudge(label, dir, store, durationS, log));
      log(`load: overload, --max-queue 64, ${CONNECTIONS} connections, ${quick ? 3 : 10} s`);
      const over = await overload(judges[0]![1], store, quick ? 3 : 10);
      const figures = runs.flatMap(figuresOf);
      figures.push({
        metric: 'load.overload.429',
        value: over.figures.statuses['429'] ?? 0,
        unit: 'responses',
        params: {
          ok: over.figures.statuses['200'] ?? 0,
          status5xx: count5xx(over.figures),
          retryAfter: over.retryAfter ?? 'none',
          crashed: over.crashed,
        },
      });
      for (const r of runs) {
        for (const f of r.runs)
          notes.push(
            `${r.judge} ${f.path}: ${f.requests} requests, ${f.throughput} req/s, p50 ${f.p50Ms} ms, p99 ${f.p99Ms} ms, statuses ${JSON.stringify(f.statuses)}, socket errors ${f.errors}`,
          );
        notes.push(`${r.judge}: server RSS ${r.rss.min}-${r.rss.max} MB (${r.rss.samples} samples)`);
      }
      notes.push(
        `overload (--max-queue 64): statuses ${JSON.stringify(over.figures.statuses)}, Retry-After ${over.retryAfter ?? 'none'} s, crashed: ${over.crashed}`,
      );
      // Other work on the machine skews every figure here; the load average says how much there was.
      notes.push(
        `machine: ${cpus().length} CPUs, 1-minute load average ${loadStart} at the start, ${loadavg()[0]!.toFixed(1)} at the end`,
      );
      const bad = runs
        .flatMap((r) => r.runs)
        .concat(over.figures)
        .filter((f) => count5xx(f) > 0);
      if (bad.length > 0) notes.push(`FAIL: 5xx answers on ${bad.map((f) => f.path).join(', ')}`);
      return { figures, notes };
    } finally {
      await rm(base, { recursive: true, force: true });
    }
  },
};

export default suite;

// Run alone: npx tsx bench/load.bench.ts [--quick]
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const quick = process.argv.includes('--quick');
  const result = await suite.run({ quick, log: (line) => process.stderr.write(`${line}\n`) });
  process.stdout.write(`# ${suite.title}\n\n| metric | model | value | unit |\n| --- | --- | --- | --- |\n`);
  for (const f of result.figures) process.stdout.write(`| ${f.metric} | ${f.model ?? ''} | ${f.value} | ${f.unit} |\n`);
  process.stdout.write(`\n${result.notes.map((n) => `- ${n}`).join('\n')}\n`);
}
