import { access } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import type { Embedder } from '../embedding/embedder.js';
import { SiftError } from '../errors.js';
import { confinedRealPath } from '../ingest/confine-path.js';
import { ingestFiles } from '../ingest/ingest-files.js';
import type { IngestSummary } from '../ingest/ingest-summary.js';
import type { VectorStore } from '../stores/vector-store.js';
import { HttpError } from './http-error.js';

/** What `POST /v1/ingest` needs: the roots it may read and an ingest into the server's store. */
export interface IngestService {
  /** Real paths of the folders requests may name paths in (`--ingest-root`). */
  readonly roots: readonly string[];
  /** Ingests `paths` (already confined) into the store; one ingest at a time. */
  ingest(paths: readonly string[]): Promise<IngestSummary>;
}

export interface IngestServiceOptions {
  /** Real paths of the allowed folders (see `realRoots`). */
  roots: readonly string[];
  store: VectorStore;
  /** The store's embedder, or null for a keyword-only store. */
  embedder: Embedder | null;
  /** The store's own folder, never walked into (LanceDB); omit for PostgreSQL. */
  storeDir?: string | undefined;
}

/**
 * Ingest over HTTP into the server's own store, confined to `roots`: every walked file is checked
 * again by real path, so a link inside a root that leads out is skipped (`outside-roots`), not read.
 * Ingests run one at a time; a second request while one runs is answered 429 with Retry-After.
 *
 * @example
 * const service = createIngestService({ roots: await realRoots(['/srv/docs']), store, embedder });
 * (await service.ingest(['/srv/docs/handbook'])).files // { seen: 12, ingested: 12, ... }
 */
export function createIngestService(options: IngestServiceOptions): IngestService {
  let running = false;
  return {
    roots: options.roots,
    async ingest(paths) {
      if (running)
        throw new SiftError('QUEUE_FULL', 'an ingest is already running on this server; try again when it is done', {
          details: { retryAfterSeconds: 5 },
        });
      running = true;
      try {
        return await ingestFiles({
          paths,
          store: options.store,
          embedder: options.embedder,
          confineTo: options.roots,
          ...(options.storeDir ? { skipDirs: [options.storeDir] } : {}),
        });
      } finally {
        running = false;
      }
    },
  };
}

/**
 * Turns the paths of a request into real paths inside the roots. A relative path is taken relative
 * to the first root that holds it (else the first root); an absolute path must lie inside a root.
 * `..` that climbs out, an absolute path elsewhere and a symbolic link that leads out are refused
 * with 403 naming the path, before anything is read.
 *
 * @example
 * await resolveIngestPaths(['handbook', '/srv/docs/faq.md'], ['/srv/docs']); // ['/srv/docs/handbook', '/srv/docs/faq.md']
 * await resolveIngestPaths(['../etc/passwd'], ['/srv/docs']);               // HttpError FORBIDDEN
 */
export async function resolveIngestPaths(paths: readonly string[], roots: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  for (const [i, given] of paths.entries()) {
    const candidates = isAbsolute(given) ? [given] : roots.map((root) => resolve(root, given));
    let confined: string | undefined;
    for (const candidate of candidates) {
      const real = await confinedRealPath(candidate, roots);
      if (real === undefined) continue;
      confined ??= real; // a missing path inside the first root is reported missing by the ingest
      if (await exists(real)) {
        confined = real;
        break;
      }
    }
    if (confined === undefined) {
      throw new HttpError(
        'FORBIDDEN',
        `paths[${i}] ${JSON.stringify(given)} lies outside the ingest roots (${roots.join(', ')}); name a file or folder inside them (.. and links that lead out are refused)`,
      );
    }
    out.push(confined);
  }
  return out;
}

const exists = (path: string): Promise<boolean> =>
  access(path).then(
    () => true,
    () => false,
  );
