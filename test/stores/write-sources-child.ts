/**
 * A separate process that writes sources into a store and reports each commit on stdout
 * (`committed <n>`), so a test can kill it in the middle of the next write: a crash for the
 * embedded store, a connection dropped mid-transaction for PostgreSQL.
 *
 * Usage: node --import tsx write-sources-child.ts <location> <sources> <chunksPerSource> <sourcesPerCall>
 */
import { HashingEmbedder } from '../../src/embedding/hashing-embedder.js';
import { openStore } from '../../src/stores/open-store.js';
import { crashCorpus } from './crash-corpus.js';

const [location, sources, chunks, perCall] = process.argv.slice(2);
const embedder = new HashingEmbedder({ dimension: 64 });
const store = await openStore(location!, { create: true, embedding: { model: embedder.model, dimension: 64 } });
const items = await crashCorpus(embedder, Number(sources), Number(chunks));
let n = 0;
for (let i = 0; i < items.length; i += Number(perCall)) {
  await store.replaceSources(items.slice(i, i + Number(perCall)));
  process.stdout.write(`committed ${++n}\n`);
}
await store.close();
