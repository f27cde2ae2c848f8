import { SiftError } from '../errors.js';
import { STAGE1_MODES, type RunConfig, type Stage1Mode } from './types.js';

/**
 * The name of a configuration: the stage-1 mode, then `+reranker@candidates` for two-stage runs.
 *
 * @example
 * runName({ stage1: 'bm25', candidates: 20 }); // 'bm25'
 * runName({ stage1: 'hybrid', reranker: 'ms-marco-MiniLM-L-6-v2', candidates: 50 });
 * // 'hybrid+ms-marco-MiniLM-L-6-v2@50'
 */
export function runName(config: Omit<RunConfig, 'name'>): string {
  const stage1 = config.fusion === undefined ? config.stage1 : `${config.stage1}[${config.fusion}]`;
  return config.reranker === undefined ? stage1 : `${stage1}+${config.reranker}@${config.candidates}`;
}

/** What `sift eval` was asked to compare (`--mode`, `--reranker`, `--candidates`, `--k`). */
export interface RunMatrix {
  /** Stage-1 modes as typed on the command line (default `['bm25']`, which needs no model). */
  modes?: readonly string[];
  /** Re-ranker names; none means stage-1 runs only. */
  rerankers?: readonly string[];
  /**
   * Candidate counts to re-rank (default `[20]`). Sensible range 10–100; re-ranking cost grows
   * linearly with it, recall of the candidate set with diminishing returns.
   */
  candidates?: readonly number[];
  /**
   * How many results a stage-1-only run retrieves: the largest metric cut-off (default 20), so R@20
   * of the base is measured on its own top 20.
   */
  depth?: number;
  /**
   * Hybrid fusions to compare (`--fusion rrf:60,minmax:0.5`): each is its own hybrid run, named
   * `hybrid[spec]`. None or one: a single run named `hybrid`.
   */
  fusions?: readonly string[];
}

/**
 * Every configuration of a run matrix: for each mode, stage 1 alone (the base every re-ranked run is
 * compared with), then each re-ranker at each candidate count. Deterministic order, unique names.
 *
 * @example
 * expandRunConfigs({ modes: ['bm25'], rerankers: ['minilm'], candidates: [10, 50] }).map((c) => c.name);
 * // ['bm25', 'bm25+minilm@10', 'bm25+minilm@50']
 */
export function expandRunConfigs(matrix: RunMatrix = {}): RunConfig[] {
  const modes = [...new Set(matrix.modes ?? ['bm25'])].filter(isStage1Mode);
  for (const m of matrix.modes ?? []) {
    if (!isStage1Mode(m)) {
      throw new SiftError('INVALID_OPTION', `\`modes\` ${m} is not a stage-1 mode; use ${STAGE1_MODES.join(', ')}`, {
        details: { option: 'modes' },
      });
    }
  }
  const candidates = [...new Set(matrix.candidates ?? [20])].sort((a, b) => a - b);
  for (const n of [...candidates, matrix.depth ?? 20]) {
    if (!Number.isInteger(n) || n < 1) {
      throw new SiftError('INVALID_OPTION', `\`candidates\` ${n} is not a positive integer; try 10,20,50`, {
        details: { option: 'candidates' },
      });
    }
  }
  const configs: RunConfig[] = [];
  const fusions = [...new Set(matrix.fusions ?? [])];
  for (const stage1 of modes) {
    const variants: (string | undefined)[] = stage1 === 'hybrid' && fusions.length > 1 ? fusions : [undefined];
    for (const fusion of variants) {
      const f = fusion === undefined ? {} : { fusion };
      const base = { stage1, ...f, candidates: matrix.depth ?? 20 };
      configs.push({ name: runName(base), ...base });
      for (const reranker of new Set(matrix.rerankers ?? [])) {
        for (const n of candidates) {
          const run = { stage1, ...f, reranker, candidates: n };
          configs.push({ name: runName(run), ...run });
        }
      }
    }
  }
  return configs;
}

function isStage1Mode(mode: string): mode is Stage1Mode {
  return (STAGE1_MODES as readonly string[]).includes(mode);
}

/**
 * The stage-1-only configuration a re-ranked one is compared with (same mode), if present.
 *
 * @example
 * baseConfigOf(configs[2], configs)?.name; // 'bm25'
 */
export function baseConfigOf(config: RunConfig, configs: readonly RunConfig[]): RunConfig | undefined {
  if (config.reranker === undefined) return undefined;
  return configs.find((c) => c.reranker === undefined && c.stage1 === config.stage1 && c.fusion === config.fusion);
}
