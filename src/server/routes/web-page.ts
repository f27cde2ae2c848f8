import type { ServerApp } from '../server-context.js';
import type { WebAsset } from '../web-assets.js';

/**
 * Content-Security-Policy of the page: scripts, styles and requests only from this server, so the
 * page works offline and a result text can never run as code (it is inserted as text, not HTML).
 */
const CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/** `GET /`, `/app.js`, `/style.css`: the search page, with ETags so reloads cost a 304. */
export function registerWebPage(app: ServerApp, assets: ReadonlyMap<string, WebAsset>): void {
  for (const [path, asset] of assets) {
    app.get(path, (c) => {
      const headers = {
        'content-type': asset.contentType,
        etag: asset.etag,
        'cache-control': 'no-cache',
        'x-content-type-options': 'nosniff',
        ...(path === '/' ? { 'content-security-policy': CSP, 'referrer-policy': 'no-referrer' } : {}),
      };
      if (c.req.header('if-none-match') === asset.etag) return c.body(null, 304, headers);
      return c.body(new Uint8Array(asset.body), 200, headers);
    });
  }
}
