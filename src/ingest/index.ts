export { ingestFiles, type IngestOptions } from './ingest-files.js';
export type { IngestProgress, IngestSummary, SkippedFile } from './ingest-summary.js';
export { chunkId, contentFingerprint } from './chunk-id.js';
export { isUnder, walkFiles, type FoundFile, type WalkOptions, type WalkResult } from './walk-files.js';
export {
  ingestDocuments,
  type DocumentInput,
  type IngestDocumentsOptions,
  type IngestDocumentsSummary,
} from './ingest-documents.js';
export { writeBatch, type PendingSource } from './write-batch.js';
