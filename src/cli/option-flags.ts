import { renameOptions, SiftError } from '../errors.js';

/**
 * The command-line flag of each library option that errors name (`details.option` and the
 * backticked names in messages), so that a library error reads in the words the user typed.
 */
export const OPTION_FLAGS: Readonly<Record<string, string>> = {
  alpha: '--alpha',
  apiKey: '--api-key',
  batchSize: '--batch-size',
  candidates: '--candidates',
  chunkOverlap: '--chunk-overlap',
  chunkSize: '--chunk-size',
  dataset: '--dataset',
  depth: '--hybrid-depth',
  dtype: '--dtype',
  embedder: '--embedder',
  fusion: '--fusion',
  headingContext: '--heading-context',
  host: '--host',
  ingestRoot: '--ingest-root',
  k: '--k',
  llmModel: '--llm-model',
  maxBatchPairs: '--batch-pairs',
  maxDocumentTokens: '--max-document-tokens',
  maxFileBytes: '--max-file-size',
  maxLength: '--max-length',
  maxQueuedPairs: '--max-queue',
  maxWaitMs: '--batch-wait-ms',
  maxWindows: '--max-windows',
  llmUrl: '--llm-url',
  longDocuments: '--long-documents',
  minScore: '--min-score',
  mode: '--mode',
  modelsDir: '--models-dir',
  modes: '--mode',
  offline: '--offline',
  out: '--out',
  reranker: '--reranker',
  reuseVectors: '--reuse-vectors',
  rrfK: '--rrf-k',
  split: '--split',
  store: '--store',
  topK: '--top-k',
  windowOverlap: '--window-overlap',
};

/**
 * A SiftError as the CLI prints it: option names become flags in the message, and `details.flag`
 * names the flag at fault beside `details.option`.
 *
 * @example
 * inFlagTerms(new SiftError('INVALID_OPTION', '`chunkSize` must be a whole number >= 1, got 0', { details: { option: 'chunkSize' } })).message
 * // 'sift: --chunk-size must be a whole number >= 1, got 0'
 */
export function inFlagTerms(err: SiftError): SiftError {
  const message = renameOptions(err.message, OPTION_FLAGS);
  const option = err.details?.option;
  const flag = typeof option === 'string' ? OPTION_FLAGS[option] : undefined;
  if (message === err.message && flag === undefined) return err;
  return new SiftError(err.code, message, {
    cause: err.cause,
    details: flag === undefined ? err.details : { ...err.details, flag },
  });
}
