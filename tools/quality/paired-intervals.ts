/**
 * Paired bootstrap intervals between runs of `sift eval --out DIR` evaluations (their
 * `per-query.json`): for each pair, the mean difference of a metric over the queries both scored,
 * and its 95% interval from 10,000 resamples of those queries (seeded, so reruns print the same).
 *
 *   npx tsx tools/quality/paired-intervals.ts --metric nDCG@10 \
 *     --base DIR#run --vs DIR#run [--vs DIR#run ...]
 *
 * A difference whose interval holds 0 is within the noise of that set.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

interface PerQuery {
  runs: { name: string; queries: Record<string, Record<string, number>> }[];
}

function load(spec: string, metric: string): Map<string, number> {
  const at = spec.indexOf('#');
  const dir = spec.slice(0, at);
  const name = spec.slice(at + 1);
  const doc = JSON.parse(readFileSync(join(dir, 'per-query.json'), 'utf8')) as PerQuery;
  const run = doc.runs.find((r) => r.name === name);
  if (!run)
    throw new Error(`${dir}/per-query.json has no run "${name}" (runs: ${doc.runs.map((r) => r.name).join(', ')})`);
  return new Map(Object.entries(run.queries).map(([q, m]) => [q, m[metric] ?? 0]));
}

/** Mean paired difference and its 95% bootstrap interval. */
export function pairedBootstrap(
  base: Map<string, number>,
  other: Map<string, number>,
  resamples = 10_000,
  seed = 20,
): { n: number; mean: number; lo: number; hi: number } {
  const ids = [...base.keys()].filter((q) => other.has(q));
  const d = ids.map((q) => other.get(q)! - base.get(q)!);
  const n = d.length;
  const mean = d.reduce((s, x) => s + x, 0) / Math.max(1, n);
  let state = seed >>> 0;
  const rand = (): number => (state = (state * 1664525 + 1013904223) >>> 0) / 2 ** 32;
  const means: number[] = [];
  for (let r = 0; r < resamples; r++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += d[Math.floor(rand() * n)]!;
    means.push(s / Math.max(1, n));
  }
  means.sort((a, b) => a - b);
  return { n, mean, lo: means[Math.floor(0.025 * resamples)]!, hi: means[Math.floor(0.975 * resamples)]! };
}

function main(argv: string[]): void {
  let metric = 'nDCG@10';
  let base: string | undefined;
  const others: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--metric') metric = argv[++i]!;
    else if (argv[i] === '--base') base = argv[++i];
    else if (argv[i] === '--vs') others.push(argv[++i]!);
  }
  if (!base || others.length === 0) throw new Error('usage: --base DIR#run --vs DIR#run [--vs ...] [--metric nDCG@10]');
  const b = load(base, metric);
  const mean = (m: Map<string, number>): number => [...m.values()].reduce((s, x) => s + x, 0) / Math.max(1, m.size);
  console.log(`| run | ${metric} | Δ vs ${base.split('/').pop()} | 95% paired bootstrap |`);
  console.log('| --- | --- | --- | --- |');
  console.log(`| ${base.split('/').pop()} | ${mean(b).toFixed(4)} | | |`);
  for (const o of others) {
    const m = load(o, metric);
    const r = pairedBootstrap(b, m);
    const sign = (x: number): string => (x >= 0 ? '+' : '') + x.toFixed(4);
    console.log(
      `| ${o.split('/').pop()} | ${mean(m).toFixed(4)} | ${sign(r.mean)} | [${sign(r.lo)}, ${sign(r.hi)}]${r.lo > 0 ? ' better' : r.hi < 0 ? ' worse' : ''} |`,
    );
  }
}

if (import.meta.url === `file://${process.argv[1]}`) main(process.argv.slice(2));
