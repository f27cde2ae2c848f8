import { z } from 'zod';

/**
 * The structured content of each tool, declared so that clients can read it without guessing (MCP
 * `outputSchema`; the SDK checks every result against it). Objects are loose: fields may be added.
 */

/** A tool's output schema: a loose object, so that a field added later breaks no client. */
const output = <T extends z.core.$ZodLooseShape>(shape: T) => z.looseObject(shape);

/** A chunk found by two-stage search, as `POST /v1/search` answers it (`hitJson`). */
const hit = z.looseObject({
  rank: z.number().int(),
  id: z.string(),
  source: z.string(),
  title: z.string().optional(),
  chunk_index: z.number().int(),
  start: z.number().int(),
  end: z.number().int(),
  text: z.string(),
  retrieval_score: z.number(),
  retrieval_rank: z.number().int(),
  relevance_score: z.number().optional(),
  logit: z.number().optional(),
});

export const searchOutput = output({
  query: z.string(),
  mode: z.string(),
  results: z.array(
    z.looseObject({
      rank: z.number().int(),
      chunk_id: z.string(),
      source: z.string(),
      title: z.string().optional(),
      chunk_index: z.number().int(),
      text: z.string(),
      score: z.number(),
    }),
  ),
});

export const queryOutput = output({
  query: z.string(),
  mode: z.string(),
  reranker: z.string().nullable(),
  candidates: z.number().int(),
  results: z.array(hit),
});

export const askOutput = output({
  query: z.string(),
  answer: z.string(),
  mode: z.enum(['llm', 'extractive']),
  citations: z.array(
    z.looseObject({ n: z.number().int(), source: z.string(), chunk_id: z.string(), relevance: z.number().nullable() }),
  ),
  results: z.array(hit),
});

export const rerankOutput = output({
  query: z.string(),
  model: z.string(),
  results: z.array(
    z.looseObject({
      rank: z.number().int(),
      index: z.number().int(),
      score: z.number(),
      logit: z.number(),
      truncated: z.boolean(),
      window: z
        .looseObject({
          index: z.number().int(),
          count: z.number().int(),
          tokenStart: z.number().int(),
          tokenEnd: z.number().int(),
          charStart: z.number().int(),
          charEnd: z.number().int(),
        })
        .optional(),
      text: z.string(),
    }),
  ),
  truncated_documents: z.number().int(),
});

/** The `sift ingest --json` summary. */
export const ingestOutput = output({
  store: z.string(),
  embedder: z.string().nullable(),
  files: z.looseObject({
    seen: z.number().int(),
    ingested: z.number().int(),
    unchanged: z.number().int(),
    skipped: z.number().int(),
    removed: z.number().int(),
  }),
  ingested: z.array(z.looseObject({ source: z.string(), chunks: z.number().int() })),
  skipped: z.array(z.looseObject({ source: z.string(), reason: z.string(), message: z.string() })),
  removed: z.array(z.looseObject({ source: z.string(), chunks: z.number().int() })),
  chunks: z.looseObject({ added: z.number().int(), removed: z.number().int(), total: z.number().int() }),
});
