import type { Command } from 'commander';
import { DEFAULT_HEADING_CONTEXT, parseHeadingContext, type HeadingContext } from '../chunking/heading-context.js';
import { openSearch, type SearchSetup } from '../pipeline/open-search.js';
import { resolveFusion, type FusionMethod } from '../retrieval/fusion.js';
import type { HybridOptions } from '../retrieval/hybrid-retriever.js';
import type { ModelLoadOptions } from '../runtime/load-text-model.js';
import { SiftError } from '../errors.js';
import { parseNumberInRange } from './run-command.js';

/** The flags that shape stage 1 and what the judge reads (`search`, `query`, `ask`, `serve`). */
export interface RetrievalFlags {
  fusion?: string;
  alpha?: string;
  rrfK?: string;
  hybridDepth?: string;
  headingContext?: string;
}

/** Adds `--fusion`, `--alpha`, `--rrf-k`, `--hybrid-depth` and `--heading-context`. */
export function addRetrievalFlags(command: Command): Command {
  return command
    .option(
      '--fusion <method>',
      'hybrid fusion: tmm (theoretical min-max, default), minmax or zscore (normalised scores, convex combination), or rrf (reciprocal rank); SciFact train nDCG@10 0.729 (tmm 0.8) against 0.714 (rrf alpha 0.7) (README "Retrieval quality")',
    )
    .option(
      '--alpha <x>',
      'hybrid: weight of the dense list, 0..1 (default 0.8; 0.5 weighs both lists equally, plain RRF with --fusion rrf; measured 0.3-0.9: tmm best at 0.75-0.8 on the development sets, 0.3 the lowest five-set mean with every method)',
    )
    .option(
      '--rrf-k <k>',
      'hybrid with --fusion rrf: the RRF constant (default 60; measured 20 and 60: five-set mean 0.492 both)',
    )
    .option(
      '--hybrid-depth <n>',
      'hybrid: candidates fetched from dense and from BM25 before fusing (default 100, at least --k; measured 30, 50 and 100: 100 best on the development sets)',
    )
    .option(
      '--heading-context <list>',
      'stages reading heading path + chunk at query time: bm25, judge, all or none (default bm25; scout is set at ingest)',
    );
}

/** Turns the flags into `openSearch` / `RerankingRetriever` options. */
export function retrievalOptions(flags: RetrievalFlags): { fusion: HybridOptions; headingContext: HeadingContext } {
  const fusion: HybridOptions = resolveFusion({
    ...(flags.fusion !== undefined ? { method: flags.fusion as FusionMethod } : {}),
    ...(flags.alpha !== undefined ? { alpha: parseNumberInRange('--alpha', flags.alpha, 0, 1) } : {}),
    ...(flags.rrfK !== undefined ? { rrfK: parseNumberInRange('--rrf-k', flags.rrfK, 0, 10_000) } : {}),
  });
  if (flags.hybridDepth !== undefined) fusion.depth = parseHybridDepth(flags.hybridDepth);
  return {
    fusion,
    headingContext:
      flags.headingContext !== undefined ? parseHeadingContext(flags.headingContext) : DEFAULT_HEADING_CONTEXT,
  };
}

/**
 * `openSearch` as every searching command calls it: the store (`--store`, or `store` when the command
 * resolved it itself), the query embedder (`--embedder`), how models load, and the retrieval flags.
 */
export function openSearchFromFlags(
  flags: RetrievalFlags & { store?: string | undefined; embedder?: string | undefined },
  models: ModelLoadOptions,
  store: string | undefined = flags.store,
): Promise<SearchSetup> {
  return openSearch({ store, embedder: flags.embedder, models, ...retrievalOptions(flags) });
}

/** `--hybrid-depth`: a whole number of candidates per list, 1 to 1,000. */
export function parseHybridDepth(value: string): number {
  const depth = parseNumberInRange('--hybrid-depth', value, 1, 1000);
  if (depth === undefined || !Number.isInteger(depth))
    throw new SiftError('INVALID_OPTION', `--hybrid-depth must be a whole number from 1 to 1000, got "${value}"`);
  return depth;
}
