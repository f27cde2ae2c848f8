import { createHash } from 'node:crypto';

/**
 * A chunk's id: the first 128 bits (32 hex digits) of sha256(source, index, text). Derived from
 * content, so re-ingesting an unchanged file yields the same ids and upserts are no-ops; 128 bits
 * make an accidental collision negligible for any realistic corpus.
 *
 * @example
 * chunkId('/docs/a.md', 0, 'Hello'); // '3c4f…' (32 hex digits, always the same for these inputs)
 */
export function chunkId(source: string, index: number, text: string): string {
  return createHash('sha256')
    .update(source)
    .update('\0')
    .update(String(index))
    .update('\0')
    .update(text)
    .digest('hex')
    .slice(0, 32);
}

/**
 * The fingerprint recorded per source: sha256 of the file's bytes and of everything else that shapes
 * its chunks (chunk size and overlap, and a version bumped when loaders change their output). Equal
 * fingerprints mean re-ingesting would write the same chunks, so the file is skipped as unchanged.
 */
export function contentFingerprint(
  bytes: Uint8Array,
  settings: { chunkSize: number; chunkOverlap: number; scoutContext?: boolean },
): string {
  // 2: heading paths and structure-first chunking of Markdown and HTML (0.2); `+scout`: vectors of
  // heading path + chunk, so changing `--heading-context` re-embeds.
  return createHash('sha256')
    .update(`sift-ingest/2${settings.scoutContext ? '+scout' : ''}\0${settings.chunkSize}\0${settings.chunkOverlap}\0`)
    .update(bytes)
    .digest('hex');
}
