export { chunkText, DEFAULT_CHUNK_OVERLAP, DEFAULT_CHUNK_SIZE, resolveChunkOptions } from './chunk-text.js';
export type { ChunkOptions, TextChunk } from './chunk-text.js';
export { headingPathAt, joinHeadingPath, markdownHeadings, HEADING_SEPARATOR, type Heading } from './heading-path.js';
export {
  contextualText,
  DEFAULT_HEADING_CONTEXT,
  formatHeadingContext,
  parseHeadingContext,
  HEADING_CONTEXT_TARGETS,
  type HeadingContext,
  type HeadingContextTarget,
} from './heading-context.js';
