import type { Dirent } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import picomatch from 'picomatch';
import { formatOf } from '../loaders/load-file.js';

export interface WalkOptions {
  /** Globs a file must match (any of them) to be ingested, e.g. `**\/*.md`. Default: every supported file. */
  include?: readonly string[];
  /** Globs that exclude files or whole folders, e.g. `drafts/**`. */
  exclude?: readonly string[];
  /** Absolute folders never entered (the store itself, when it lies inside an ingested folder). */
  skipDirs?: readonly string[];
}

/** A file found by the walk. */
export interface FoundFile {
  /** Absolute path; also the chunk's `source`. */
  path: string;
  /** The root (as given, resolved) under which it was found. */
  root: string;
}

export interface WalkResult {
  /** Files to ingest, sorted by path, without duplicates. */
  files: FoundFile[];
  /** Paths given that do not exist. */
  missing: string[];
  /** Absolute roots as given (files or folders), for pruning. */
  roots: string[];
}

/** Folders skipped in every walk: VCS metadata and dependency trees are never documents. */
const SKIPPED_DIRS = new Set(['node_modules', '.git', '.hg', '.svn']);

/**
 * Lists the files to ingest under `paths`. Folders are walked recursively, keeping files of a
 * supported format (txt, md, html, pdf) and skipping hidden entries (names starting with `.`),
 * `node_modules`, VCS folders and symbolic links to folders (they can loop). A path given explicitly
 * is always kept, whatever its extension or name, so the ingest can report why it was skipped.
 * Globs are matched against the path relative to its root with `/` separators; a glob without `/`
 * matches the file name (`*.md`).
 *
 * @example
 * await walkFiles(['docs'], { exclude: ['drafts/**'] });
 * // { files: [{ path: '/home/me/docs/a.md', root: '/home/me/docs' }, …], missing: [], roots: ['/home/me/docs'] }
 */
export async function walkFiles(paths: readonly string[], options: WalkOptions = {}): Promise<WalkResult> {
  const glob = { dot: true, basename: true } as const;
  const include = options.include?.length ? picomatch([...options.include], glob) : () => true;
  const exclude = options.exclude?.length ? picomatch([...options.exclude], glob) : () => false;
  const skipDirs = new Set((options.skipDirs ?? []).map((d) => resolve(d)));
  const found = new Map<string, FoundFile>();
  const missing: string[] = [];
  const roots: string[] = [];

  const visit = async (dir: string, root: string): Promise<void> => {
    let entries: Dirent[];
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      return; // an unreadable folder holds nothing we can ingest
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : 1));
    for (const entry of entries) {
      if (entry.name.startsWith('.') || SKIPPED_DIRS.has(entry.name)) continue;
      const path = join(dir, entry.name);
      const rel = relative(root, path).split(sep).join('/');
      let isDir = entry.isDirectory();
      let isFile = entry.isFile();
      if (entry.isSymbolicLink()) {
        const st = await stat(path).catch(() => undefined);
        isDir = false; // never follow folder links: they can form cycles
        isFile = st?.isFile() ?? false;
      }
      if (isDir) {
        if (skipDirs.has(path) || exclude(rel) || exclude(`${rel}/`)) continue;
        await visit(path, root);
      } else if (isFile && formatOf(path) !== undefined && include(rel) && !exclude(rel)) {
        if (!found.has(path)) found.set(path, { path, root });
      }
    }
  };

  for (const given of paths) {
    const abs = resolve(given);
    roots.push(abs);
    const st = await stat(abs).catch(() => undefined);
    if (!st) missing.push(abs);
    else if (st.isDirectory()) await visit(abs, abs);
    else if (!found.has(abs)) found.set(abs, { path: abs, root: abs });
  }
  const files = [...found.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { files, missing, roots };
}

/** True when `source` is `root` itself or lies inside the folder `root`. */
export function isUnder(source: string, root: string): boolean {
  return source === root || source.startsWith(root.endsWith(sep) ? root : root + sep);
}
