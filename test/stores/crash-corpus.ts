import type { HashingEmbedder } from '../../src/embedding/hashing-embedder.js';
import type { SourceReplacement } from '../../src/stores/vector-store.js';

/** The sources the interrupted-write test writes: `/crash/s<i>.md`, fingerprint `final`, `chunks` chunks each. */
export async function crashCorpus(
  embedder: HashingEmbedder,
  sources: number,
  chunks: number,
): Promise<SourceReplacement[]> {
  const items: SourceReplacement[] = [];
  for (let s = 0; s < sources; s++) {
    const source = `/crash/s${s}.md`;
    const texts = Array.from({ length: chunks }, (_, c) => `chunk ${c} of source ${s} about crash safety and commits`);
    const vectors = await embedder.embed(texts);
    items.push({
      source: {
        source,
        contentHash: 'final',
        chunkCount: chunks,
        modifiedMs: 1_700_000_000_000,
        ingestedAt: '2026-01-01T00:00:00.000Z',
      },
      chunks: texts.map((text, c) => ({
        id: `${source}#${c}`,
        source,
        text,
        chunkIndex: c,
        start: c * 60,
        end: c * 60 + text.length,
        modifiedMs: 1_700_000_000_000,
        vector: vectors[c],
      })),
    });
  }
  return items;
}
