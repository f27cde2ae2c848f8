import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Paths relative to the repository, never to the working directory: tests and scripts run from
 * anywhere (an editor, a sub-folder, CI), and `../shared` sits beside the checkout on every machine.
 */
const here = dirname(fileURLToPath(import.meta.url));

/** The folder holding the model generator's sources (this folder). */
export const modelGenDir = here;

/** The repository root (`tools/model-gen/../..`). */
export function repoRoot(): string {
  return resolve(here, '..', '..');
}

/**
 * The read-only shared files beside the checkout: `SIFT_SHARED`, else `<repo>/../shared` (see its
 * README.md). `SIFT_SHARED` is for checkouts that do not sit beside it (worktrees), as in
 * bench/support/real-vectors.ts.
 *
 * @example sharedDir() // '/work/shared' for a checkout at /work/main
 */
export function sharedDir(): string {
  return resolve(process.env.SIFT_SHARED ?? resolve(repoRoot(), '..', 'shared'));
}

/**
 * The real bert-base-uncased WordPiece tokenizer (vocab 30522) of the MiniLM models, in `../shared`.
 * Only for what needs the real vocabulary (expected ids, the full-size random models whose token
 * lengths benchmarks measure); generated test models write their own ({@link ./wordpiece-tokenizer.ts}).
 */
export function bertTokenizerPath(): string {
  return resolve(sharedDir(), 'models', 'tokenizers', 'bert-base-uncased', 'tokenizer.json');
}
