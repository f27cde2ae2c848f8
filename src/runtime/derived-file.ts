import { createHash, randomBytes } from 'node:crypto';
import { mkdir, realpath, rename, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Where a file derived from a model file lives: its cache key and the folders that may hold it. */
export interface DerivedSlot {
  /** The source's real path. */
  source: string;
  /** The source's size in bytes. */
  size: number;
  /** 16 hex digits of the source's real path, size, modification time and `variant`. */
  key: string;
  /** `<cacheDir>/.sift-<kind>`, then `<tmpdir>/sift-<kind>` for a read-only cache. */
  roots: string[];
}

/**
 * The slot of a file sift derives from `path` (its int8 graph, its first-token graph): keyed by the
 * source's real path, size and modification time and by `variant` (the deriving code's version and
 * settings), so a changed source or recipe never serves a stale file.
 */
export async function derivedSlot(
  path: string,
  cacheDir: string,
  kind: string,
  variant: unknown[],
): Promise<DerivedSlot> {
  const source = await realpath(path);
  const info = await stat(source);
  const key = createHash('sha256')
    .update(JSON.stringify([source, info.size, info.mtimeMs, ...variant]))
    .digest('hex')
    .slice(0, 16);
  return { source, size: info.size, key, roots: [join(cacheDir, `.sift-${kind}`), join(tmpdir(), `sift-${kind}`)] };
}

/** The first of the slot's folders that holds `name`, as a path. */
export async function findDerived(slot: DerivedSlot, name: string): Promise<string | undefined> {
  for (const root of slot.roots) {
    const file = join(root, name);
    if ((await stat(file).catch(() => undefined))?.isFile()) return file;
  }
  return undefined;
}

/**
 * Writes `bytes` as `name` in the first of the slot's folders that takes it, atomically (a concurrent
 * loader sees the whole file or none), and returns its path; throws the last folder's error.
 */
export async function writeDerived(slot: DerivedSlot, name: string, bytes: Uint8Array): Promise<string> {
  let lastError: unknown;
  for (const root of slot.roots) {
    const file = join(root, name);
    const tmp = `${file}.${process.pid}-${randomBytes(4).toString('hex')}.incomplete`;
    try {
      await mkdir(root, { recursive: true });
      await writeFile(tmp, bytes);
      await rename(tmp, file);
      return file;
    } catch (err) {
      lastError = err;
      await rm(tmp, { force: true }).catch(() => undefined);
    }
  }
  throw lastError;
}
