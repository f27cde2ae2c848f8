import { SiftError } from '../errors.js';
import type { SourceReplacement } from './vector-store.js';

/**
 * The checks every backend's `replaceSources` makes before it writes anything: each source once, and
 * every chunk belonging to the source it is given for. Returns the sources in order.
 */
export function checkReplacements(items: readonly SourceReplacement[]): string[] {
  const sources = items.map((i) => i.source.source);
  if (new Set(sources).size !== sources.length)
    throw new SiftError('INVALID_INPUT', 'replaceSources got the same source twice');
  for (const item of items) {
    for (const c of item.chunks) {
      if (c.source !== item.source.source) {
        throw new SiftError(
          'INVALID_INPUT',
          `chunk ${c.id} has source ${c.source} but was given for ${item.source.source}`,
        );
      }
    }
  }
  return sources;
}
