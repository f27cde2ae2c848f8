import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RunResult } from '../aggregate-run.js';

/**
 * Writes `per-query.json` beside the other report files: every run's metrics per scored query
 * (`{"runs": [{"name", "queries": {"<id>": {"nDCG@10": …}}}]}`), so paired comparisons between runs
 * of different evaluations (two stores, two settings) can be computed afterwards.
 */
export async function writePerQueryFile(runs: readonly RunResult[], dir: string): Promise<string> {
  const path = join(dir, 'per-query.json');
  const doc = {
    runs: runs.map((r) => ({
      name: r.name,
      queries: Object.fromEntries(r.perQuery.filter((q) => q.metrics !== null).map((q) => [q.queryId, q.metrics])),
    })),
  };
  await writeFile(path, `${JSON.stringify(doc)}\n`);
  return path;
}
