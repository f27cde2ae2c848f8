import type { CollectionTables } from './postgres-schema.js';
import { TEXT_CONFIG } from './postgres-schema.js';
import { CHUNK_SELECT } from './postgres-sql.js';

/**
 * BM25 parameters: `k1` saturates term frequency (1.2: a term's third occurrence adds little),
 * `b` is the strength of length normalization (0.75: long chunks are discounted, not flattened).
 * The usual defaults of Robertson & Zaragoza, "The Probabilistic Relevance Framework: BM25 and
 * Beyond" (2009), which Lucene and the LanceDB store also use.
 */
export const BM25_K1 = 1.2;
export const BM25_B = 0.75;

/**
 * Okapi BM25 computed in SQL, because PostgreSQL ships only `ts_rank`/`ts_rank_cd`, which have no
 * inverse document frequency: with them a query's common word weighs as much as its rare one, and
 * hybrid search would fuse a weaker keyword list than the LanceDB store's. Here:
 * - candidates are the chunks whose `tsv` matches any query lexeme (an OR query over the GIN index,
 *   like LanceDB's BM25 search);
 * - tf is the number of positions a lexeme has in the chunk's `tsv`; df is counted per lexeme over
 *   the whole collection through the GIN index (exact at query time);
 * - chunk length is `length(tsv)`, the number of distinct lexemes (stop words excluded): an
 *   approximation of token count that costs nothing to read; for ~500-character chunks repeats
 *   are rare, so it is close;
 * - N and the mean length come from `text_stats`, refreshed by `optimize()` (after every ingest); a
 *   store never optimized falls back to the candidates' mean length, and N is never below a df.
 * idf = ln(1 + (N − df + 0.5) / (df + 0.5)), Lucene's always-positive form.
 *
 * Parameters: $1 the query words joined by spaces, then the filter's values (`filterSql`), then
 * k1, b and the number of hits, whose positions are given.
 */
export function bm25Sql(
  t: CollectionTables,
  where: string,
  k1: string,
  b: string,
  limit: string,
  select: string = CHUNK_SELECT,
): string {
  return `
WITH terms AS (
  SELECT lexeme, to_tsquery('simple', lexeme) AS q
  FROM unnest(tsvector_to_array(to_tsvector('${TEXT_CONFIG}', $1::text))) AS lexeme
),
df AS (
  SELECT terms.lexeme, (SELECT count(*) FROM ${t.chunks} d WHERE d.tsv @@ terms.q)::float8 AS n FROM terms
),
matches AS (
  SELECT c.id, c.tsv, greatest(length(c.tsv), 1)::float8 AS len
  FROM ${t.chunks} c
  WHERE c.tsv @@ (SELECT to_tsquery('simple', string_agg(lexeme, ' | ')) FROM terms) AND ${where}
),
corpus AS (
  SELECT greatest((SELECT chunk_count FROM ${t.stats}), (SELECT max(n) FROM df), 1)::float8 AS n,
         coalesce((SELECT mean_length FROM ${t.stats} WHERE mean_length > 0), (SELECT avg(len) FROM matches), 1)::float8 AS mean_length
),
scores AS (
  SELECT m.id,
         sum(ln(1 + (corpus.n - df.n + 0.5) / (df.n + 0.5))
             * (occ.tf * (${k1} + 1)) / (occ.tf + ${k1} * (1 - ${b} + ${b} * m.len / corpus.mean_length))) AS score
  FROM matches m
  CROSS JOIN LATERAL (SELECT u.lexeme, coalesce(array_length(u.positions, 1), 1)::float8 AS tf FROM unnest(m.tsv) AS u) AS occ
  JOIN df ON df.lexeme = occ.lexeme
  CROSS JOIN corpus
  GROUP BY m.id
  ORDER BY score DESC, m.id
  LIMIT ${limit}
)
SELECT ${select}, s.score
FROM scores s JOIN ${t.chunks} c ON c.id = s.id
ORDER BY s.score DESC, c.id`;
}
