import { realpath, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { SiftError } from '../errors.js';
import { isUnder } from './walk-files.js';

/**
 * The real paths (symbolic links resolved) of folders an ingest is confined to, e.g. `sift serve
 * --ingest-root`. Each must be an existing folder.
 *
 * @example
 * await realRoots(['./docs']); // ['/home/me/docs']
 */
export async function realRoots(roots: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  for (const root of roots) {
    const real = await realpath(resolve(root)).catch(() => undefined);
    const st = real ? await stat(real).catch(() => undefined) : undefined;
    if (!real || !st?.isDirectory())
      throw new SiftError('INVALID_OPTION', `\`ingestRoot\` ${root} is not an existing folder`, {
        details: { root, option: 'ingestRoot' },
      });
    out.push(real);
  }
  return out;
}

/**
 * Where `path` really is, when that is inside one of `roots` (real paths): its real path (links
 * resolved), or the lexical path when it does not exist yet (so the ingest can report it missing).
 * Undefined when it lies outside every root, by `..`, an absolute path or a link that leads out.
 *
 * @example
 * await confinedRealPath('/srv/docs/a.md', ['/srv/docs']);      // '/srv/docs/a.md'
 * await confinedRealPath('/srv/docs/../../etc', ['/srv/docs']); // undefined
 */
export async function confinedRealPath(path: string, roots: readonly string[]): Promise<string | undefined> {
  const lexical = resolve(path);
  if (!roots.some((root) => isUnder(lexical, root))) return undefined;
  let real: string;
  try {
    real = await realpath(lexical);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') return undefined;
    // Missing, or a dangling link: a dangling link leads nowhere we may read; a missing path is reported.
    const linkTarget = await realpath(resolve(lexical, '..')).catch(() => undefined);
    return linkTarget !== undefined && roots.some((root) => isUnder(linkTarget, root)) ? lexical : undefined;
  }
  return roots.some((root) => isUnder(real, root)) ? real : undefined;
}
