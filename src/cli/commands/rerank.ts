import type { Command } from 'commander';
import { loadJudge } from '../../pipeline/two-stage.js';
import { createReranker, DEFAULT_RERANKER } from '../../pipeline/defaults.js';
import { SiftError } from '../../errors.js';
import { longDocumentsMode, type WindowHit } from '../../reranking/long-documents.js';
import type { RerankDocument } from '../../reranking/reranker.js';
import { addModelFlags, modelLoadOptions, type ModelFlags } from '../model-flags.js';
import { readJsonlDocuments } from '../read-jsonl-documents.js';
import { parsePositiveInt, printJson, runCommand } from '../run-command.js';

interface RerankFlags extends ModelFlags {
  docs?: string;
  reranker: string;
  topK?: string;
  batchSize?: string;
  maxLength?: string;
  longDocuments?: string;
  windowOverlap?: string;
  maxWindows?: string;
  maxDocumentTokens?: string;
}

/** `sift rerank "query" --docs FILE.jsonl|-`: scores documents against a query with the cross-encoder. */
export function registerRerank(program: Command): void {
  const command = program
    .command('rerank')
    .description('re-rank documents for a query with a local cross-encoder')
    .argument('<query>', 'the question or search text')
    .option('--docs <file>', 'documents, one per line: a JSON string or {"text": ..., ...metadata}; - reads stdin')
    .option('--reranker <name>', 'cross-encoder model name or folder, or a /rerank endpoint URL', DEFAULT_RERANKER)
    .option('-k, --top-k <n>', 'show only the best n documents')
    .option(
      '--batch-size <n>',
      'pairs per inference batch (default 4; 1 for q8, whose scores would move with their batch)',
    )
    .option('--max-length <n>', "maximum tokens per (query, document) pair (default: the model's)")
    .option(
      '--long-documents <mode>',
      'documents longer than the model reads: truncate (default) or window (read whole in overlapping windows, keep the best)',
    )
    .option(
      '--window-overlap <tokens>',
      'with --long-documents window: tokens consecutive windows share (default 64, at most half a window)',
    )
    .option(
      '--max-windows <n>',
      'with --long-documents window: most windows per document; longer ones are refused (default 16)',
    )
    .option('--max-document-tokens <n>', 'with --long-documents window: read at most this many tokens of each document')
    .option('--json', 'print {"query", "model", "results", "timings"} as JSON');
  addModelFlags(command).action((query: string, flags: RerankFlags) =>
    runCommand(flags, async () => {
      if (!flags.docs)
        throw new SiftError('INVALID_OPTION', '--docs is required: a JSONL file of documents, or - for stdin');
      const topK = flags.topK === undefined ? undefined : parsePositiveInt('--top-k', flags.topK, 1);
      const batchSize =
        flags.batchSize === undefined ? undefined : parsePositiveInt('--batch-size', flags.batchSize, 1);
      const maxLength =
        flags.maxLength === undefined ? undefined : parsePositiveInt('--max-length', flags.maxLength, 1);
      const windowed = flags.longDocuments !== undefined && parseLongDocuments(flags.longDocuments) === 'window';
      if (!windowed) {
        const stray = (['windowOverlap', 'maxWindows', 'maxDocumentTokens'] as const).find(
          (k) => flags[k] !== undefined,
        );
        if (stray)
          throw new SiftError(
            'INVALID_OPTION',
            `--${stray.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} applies to --long-documents window only`,
          );
      }
      const windowOptions = windowed
        ? {
            longDocuments: 'window' as const,
            ...(flags.windowOverlap !== undefined
              ? { windowOverlap: parseWholeNumber('--window-overlap', flags.windowOverlap) }
              : {}),
            ...(flags.maxWindows !== undefined
              ? { maxWindows: parsePositiveInt('--max-windows', flags.maxWindows, 1) }
              : {}),
            ...(flags.maxDocumentTokens !== undefined
              ? { maxDocumentTokens: parsePositiveInt('--max-document-tokens', flags.maxDocumentTokens, 1) }
              : {}),
          }
        : {};
      const documents = await readJsonlDocuments(flags.docs);
      const reranker = createReranker(flags.reranker, modelLoadOptions(flags));
      try {
        const loadMs = documents.length > 0 ? await loadJudge(reranker) : 0;
        const response = await reranker.rerank(query, documents, {
          ...(topK !== undefined ? { topK } : {}),
          ...(batchSize !== undefined ? { batchSize } : {}),
          ...(maxLength !== undefined ? { maxLength } : {}),
          ...windowOptions,
        });
        const results = response.results.map((r, i) => ({
          ...metadataOf(r.document),
          rank: i + 1,
          index: r.index,
          text: r.text,
          score: r.score,
          logit: r.logit,
          truncated: r.truncated,
          ...(r.window ? { window: r.window } : {}),
        }));
        const t = response.timings;
        const timings = {
          loadMs: round(loadMs),
          tokenizeMs: round(t.tokenizeMs),
          inferenceMs: round(t.inferenceMs),
          totalMs: round(t.totalMs),
        };
        if (flags.json) {
          printJson({ query, model: response.model, results, truncatedPairs: response.truncatedPairs, timings });
        } else {
          printTable(results, response.truncatedPairs, timings.totalMs, response.model);
        }
      } finally {
        await reranker.close();
      }
    }),
  );
}

function metadataOf(doc: RerankDocument): Record<string, unknown> {
  if (typeof doc === 'string') return {};
  const { text: _text, ...rest } = doc;
  return rest;
}

function printTable(
  results: {
    rank: number;
    index: number;
    score: number;
    logit: number;
    text: string;
    source?: unknown;
    window?: WindowHit;
  }[],
  truncated: number,
  totalMs: number,
  model: string,
): void {
  if (results.length === 0) {
    process.stdout.write('no documents to re-rank\n');
    return;
  }
  const lines = results.map((r) => {
    const preview = r.text.replace(/\s+/g, ' ').trim();
    const cut = preview.length > 90 ? `${preview.slice(0, 89)}…` : preview;
    const source = typeof r.source === 'string' ? `  [${r.source}]` : '';
    // In window mode, which window scored (of how many) and where it starts in the document.
    const window =
      r.window && r.window.count > 1
        ? `  (window ${r.window.index + 1}/${r.window.count} at character ${r.window.charStart})`
        : '';
    return `${String(r.rank).padStart(3)}  ${r.score.toFixed(4)}  ${r.logit.toFixed(3).padStart(8)}  #${String(r.index).padEnd(4)} ${cut}${source}${window}`;
  });
  process.stdout.write(`rank  score     logit  input  text\n${lines.join('\n')}\n`);
  process.stdout.write(
    `\n${model}: ${results.length} shown in ${totalMs} ms${truncated > 0 ? `, ${truncated} long documents truncated to fit the model` : ''}\n`,
  );
}

function parseLongDocuments(value: string): 'truncate' | 'window' {
  try {
    return longDocumentsMode(value);
  } catch {
    throw new SiftError('INVALID_OPTION', `--long-documents must be truncate or window, got "${value}"`);
  }
}

function parseWholeNumber(flag: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0)
    throw new SiftError('INVALID_OPTION', `${flag} must be a whole number >= 0, got "${value}"`);
  return n;
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}
