export { chunkText, DEFAULT_CHUNK_OVERLAP, DEFAULT_CHUNK_SIZE, resolveChunkOptions } from './chunk-text.js';
export type { ChunkOptions, TextChunk } from './chunk-text.js';
