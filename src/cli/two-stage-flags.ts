import type { Command } from 'commander';
import { DEFAULT_CANDIDATES, DEFAULT_RERANKER, DEFAULT_TOP_K } from '../pipeline/defaults.js';
import type { TwoStageSizes } from '../pipeline/two-stage.js';
import type { ModelFlags } from './model-flags.js';
import { parseNumberInRange, parsePositiveInt } from './run-command.js';

/** The flags of every command that runs two-stage search over a store (`query`, `ask`). */
export interface TwoStageFlags extends ModelFlags {
  store?: string;
  embedder?: string;
  mode?: string;
  candidates?: string;
  topK?: string;
  reranker: string;
  minScore?: string;
}

/** Adds `--store`, `--embedder`, `--mode`, `--candidates`, `--top-k`, `--reranker`, `--min-score`. */
export function addTwoStageFlags(command: Command, kept: string): Command {
  return command
    .option('--store <dir>', 'store folder or postgres:// URL (default: SIFT_STORE or ./.sift)')
    .option('--embedder <name>', "query embedding model (default: the store's)")
    .option('--mode <mode>', 'stage 1: dense, bm25 or hybrid (default: hybrid, or bm25 for a keyword-only store)')
    .option(
      '--candidates <n>',
      `chunks fetched by stage 1 and judged by the reranker (default ${DEFAULT_CANDIDATES}, or --top-k when larger)`,
    )
    .option('-k, --top-k <n>', `${kept}, at most --candidates (default ${DEFAULT_TOP_K})`)
    .option('--reranker <name>', 'cross-encoder model name or folder, or a /rerank endpoint URL', DEFAULT_RERANKER)
    .option('--min-score <x>', 'drop chunks the reranker scores below this relevance (0..1)');
}

/**
 * Parses the numeric two-stage flags, naming the flag at fault; flags not given stay undefined, so
 * the pipeline's defaults and rules apply (`composeTwoStage`).
 */
export function parseTwoStageFlags(flags: TwoStageFlags): TwoStageSizes {
  return {
    candidates:
      flags.candidates === undefined
        ? undefined
        : parsePositiveInt('--candidates', flags.candidates, DEFAULT_CANDIDATES),
    topK: flags.topK === undefined ? undefined : parsePositiveInt('--top-k', flags.topK, DEFAULT_TOP_K),
    minScore: parseNumberInRange('--min-score', flags.minScore, 0, 1),
  };
}
