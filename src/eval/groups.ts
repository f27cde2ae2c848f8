import type { RunResult } from './aggregate-run.js';
import type { MetricValues } from './metrics/evaluate-query.js';

/** The group of queries without a tag, when some queries have tags and others do not. */
export const UNTAGGED = '(untagged)';

/** Every metric of every run over the queries of one tag. */
export interface GroupResult {
  tag: string;
  /** Scored queries with the tag. */
  queries: number;
  runs: { name: string; metrics: MetricValues }[];
}

/**
 * The per-tag breakdown of an evaluation: for each tag (first-seen order of the queries), every
 * metric of every run as the mean over the scored queries with that tag. A query with several tags
 * counts in each; queries without tags form `(untagged)` when other queries are tagged. Empty when
 * no query has a tag.
 *
 * @param tags query id -> its tags (labelled files: `"tags"` and `"kind"`)
 * @example
 * groupRuns(runs, new Map([['q1', ['how-to']], ['q2', ['reference']]]))[0];
 * // { tag: 'how-to', queries: 1, runs: [{ name: 'bm25', metrics: { 'P@4': 0.5, ... } }, ...] }
 */
export function groupRuns(runs: readonly RunResult[], tags: ReadonlyMap<string, readonly string[]>): GroupResult[] {
  if (![...tags.values()].some((t) => t.length > 0)) return [];
  const order: string[] = [];
  const members = new Map<string, Set<string>>();
  const add = (tag: string, id: string): void => {
    if (!members.has(tag)) {
      members.set(tag, new Set());
      order.push(tag);
    }
    members.get(tag)?.add(id);
  };
  const ids = runs[0]?.perQuery.map((q) => q.queryId) ?? [];
  for (const id of ids) {
    const list = tags.get(id) ?? [];
    if (list.length === 0) add(UNTAGGED, id);
    for (const t of list) add(t, id);
  }
  const keys = Object.keys(runs[0]?.metrics ?? {});
  return order.map((tag) => {
    const set = members.get(tag) ?? new Set<string>();
    let scored = 0;
    const perRun = runs.map((r) => {
      const values = r.perQuery
        .filter((q) => set.has(q.queryId) && q.metrics !== null)
        .map((q) => q.metrics as MetricValues);
      scored = Math.max(scored, values.length);
      const metrics: MetricValues = Object.fromEntries(
        keys.map((k) => [k, values.length === 0 ? 0 : values.reduce((s, v) => s + (v[k] ?? 0), 0) / values.length]),
      );
      return { name: r.name, metrics };
    });
    return { tag, queries: scored, runs: perRun };
  });
}
