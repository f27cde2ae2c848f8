import type { Command } from 'commander';
import { DEFAULT_HEADING_CONTEXT, parseHeadingContext, type HeadingContext } from '../chunking/heading-context.js';
import { resolveFusion, type FusionMethod, type FusionOptions } from '../retrieval/fusion.js';
import { parseNumberInRange } from './run-command.js';

/** The flags that shape stage 1 and what the judge reads (`search`, `query`, `ask`, `serve`). */
export interface RetrievalFlags {
  fusion?: string;
  alpha?: string;
  rrfK?: string;
  headingContext?: string;
}

/** Adds `--fusion`, `--alpha`, `--rrf-k` and `--heading-context`. */
export function addRetrievalFlags(command: Command): Command {
  return command
    .option('--fusion <method>', 'hybrid fusion: rrf (reciprocal rank, default), minmax or zscore (normalised scores, convex combination); SciFact test nDCG@10 0.705 / 0.711 / 0.721 at alpha 0.5')
    .option('--alpha <x>', 'hybrid: weight of the dense list, 0..1 (default 0.5; measured 0.3-0.7, see README "Retrieval quality")')
    .option('--rrf-k <k>', 'hybrid with --fusion rrf: the RRF constant (default 60; measured 20 and 60)')
    .option('--heading-context <list>', 'stages reading heading path + chunk at query time: bm25, judge, all or none (scout is set at ingest)');
}

/** Turns the flags into `openSearch` / `RerankingRetriever` options. */
export function retrievalOptions(flags: RetrievalFlags): { fusion: FusionOptions; headingContext: HeadingContext } {
  const fusion = resolveFusion({
    ...(flags.fusion !== undefined ? { method: flags.fusion as FusionMethod } : {}),
    ...(flags.alpha !== undefined ? { alpha: parseNumberInRange('--alpha', flags.alpha, 0, 1) } : {}),
    ...(flags.rrfK !== undefined ? { rrfK: parseNumberInRange('--rrf-k', flags.rrfK, 0, 10_000) } : {}),
  });
  return { fusion, headingContext: flags.headingContext !== undefined ? parseHeadingContext(flags.headingContext) : DEFAULT_HEADING_CONTEXT };
}
