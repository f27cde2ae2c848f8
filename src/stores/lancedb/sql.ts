import type { ChunkFilter } from '../vector-store.js';

/** A SQL string literal: single quotes doubled, per the SQL standard DataFusion follows. */
export function sqlString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/** `column IN ('a', 'b')` for a non-empty list. */
export function sqlIn(column: string, values: readonly string[]): string {
  return `${column} IN (${values.map(sqlString).join(', ')})`;
}

/**
 * The WHERE clause of a filter, or undefined when it has no condition. Prefixes use `starts_with`
 * rather than LIKE so `%` and `_` in paths need no escaping.
 *
 * @example
 * filterToSql({ sourcePrefix: "/docs/it's/" }); // "starts_with(source, '/docs/it''s/')"
 */
export function filterToSql(filter: ChunkFilter | undefined): string | undefined {
  if (!filter) return undefined;
  const parts: string[] = [];
  if (filter.source !== undefined) parts.push(`source = ${sqlString(filter.source)}`);
  if (filter.sourcePrefix !== undefined && filter.sourcePrefix !== '')
    parts.push(`starts_with(source, ${sqlString(filter.sourcePrefix)})`);
  return parts.length > 0 ? parts.join(' AND ') : undefined;
}
