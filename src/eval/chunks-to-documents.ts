/**
 * Maps a ranked list of chunks to a ranked list of documents by first occurrence.
 *
 * Why: qrels judge documents, but the store returns chunks, and one long document is often cut into
 * several chunks that all match a query. Counting each chunk would let one relevant document fill
 * P@4 on its own and push Recall past 1; keeping a document at the rank of its best chunk is the
 * usual MaxP convention (Dai & Callan 2019) and what a reader of the top results sees.
 *
 * @param chunks ranked chunks, best first
 * @param key the document a chunk belongs to (default: its `docId`)
 * @example
 * chunksToDocuments([{ docId: 'a' }, { docId: 'b' }, { docId: 'a' }, { docId: 'c' }]);
 * // ['a', 'b', 'c']
 */
export function chunksToDocuments<C extends { docId: string }>(
  chunks: readonly C[],
  key: (chunk: C) => string = (chunk) => chunk.docId,
): string[] {
  const seen = new Set<string>();
  const docs: string[] = [];
  for (const chunk of chunks) {
    const id = key(chunk);
    if (!seen.has(id)) {
      seen.add(id);
      docs.push(id);
    }
  }
  return docs;
}
