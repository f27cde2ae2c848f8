import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SiftError } from '../errors.js';

/** One static file of the web page, held in memory (the page is three small files). */
export interface WebAsset {
  body: Buffer;
  contentType: string;
  etag: string;
}

/** URL path -> file in `web/`. A fixed list: nothing else on disk is ever served. */
const FILES: Readonly<Record<string, { file: string; contentType: string }>> = {
  '/': { file: 'index.html', contentType: 'text/html; charset=utf-8' },
  '/app.js': { file: 'app.js', contentType: 'text/javascript; charset=utf-8' },
  '/style.css': { file: 'style.css', contentType: 'text/css; charset=utf-8' },
};

/**
 * The folder of the page's files, next to this module: `src/server/web/` when run from the sources
 * (tsx), `dist/server/web/` after `npm run build` (whose copy step puts them there: tsc copies only
 * TypeScript output).
 */
export const WEB_DIR = fileURLToPath(new URL('./web/', import.meta.url));

/**
 * Reads the page's files once, at server start, so a missing file fails the start, not a visitor.
 *
 * @example
 * loadWebAssets().get('/app.js')?.contentType // 'text/javascript; charset=utf-8'
 */
export function loadWebAssets(dir: string = WEB_DIR): Map<string, WebAsset> {
  const assets = new Map<string, WebAsset>();
  for (const [path, { file, contentType }] of Object.entries(FILES)) {
    let body: Buffer;
    try {
      body = readFileSync(join(dir, file));
    } catch (err) {
      throw new SiftError(
        'INTERNAL',
        `the web page file ${join(dir, file)} is missing; reinstall sift, or run \`npm run build\` (which copies src/server/web to dist/server/web)`,
        {
          cause: err,
        },
      );
    }
    assets.set(path, { body, contentType, etag: `"${createHash('sha256').update(body).digest('hex').slice(0, 16)}"` });
  }
  return assets;
}
