/**
 * The context an answer is written from: the re-ranked chunks as numbered, clearly delimited
 * blocks, within a size budget, so the model can cite `[n]` and cannot confuse a document's text
 * with the prompt around it.
 */
import { SiftError } from '../errors.js';
import type { RetrievalHit } from '../retrieval/reranking-retriever.js';
import type { StoredChunk } from '../stores/vector-store.js';

export interface ContextOptions {
  /**
   * Largest context in characters (default 12 000, about 3 000 tokens: room for 4 chunks of 500–1 000
   * characters and the answer in an 8k-token model). Blocks that do not fit are left out whole; a
   * first block that alone does not fit is cut, so there is always something to answer from.
   */
  maxChars?: number;
  /**
   * Largest context in tokens, estimated at 4 characters per token (OpenAI's rule of thumb for
   * English; other languages use more tokens per character, so leave a margin). Wins over `maxChars`.
   */
  maxTokens?: number;
  /** How a chunk's source is shown (default: `chunk.source` as stored, e.g. an absolute path). */
  formatSource?: (chunk: StoredChunk) => string;
}

/** One numbered block of the context. */
export interface ContextBlock {
  /** The citation number, from 1, in hit order. */
  n: number;
  hit: RetrievalHit;
  /** The source as shown in the block. */
  source: string;
  /** The judge's relevance in 0..1, or null for hits that were not re-ranked. */
  relevance: number | null;
  /** The block as it appears in the context. */
  text: string;
  /** True when the chunk's text was cut to fit the budget. */
  truncated: boolean;
}

export interface BuiltContext {
  /** The blocks joined, ready for the prompt. */
  text: string;
  blocks: ContextBlock[];
  /** Hits left out because the budget was spent. */
  omitted: number;
}

export const DEFAULT_CONTEXT_MAX_CHARS = 12_000;
const CHARS_PER_TOKEN = 4;

/**
 * Builds the context from hits, best first:
 *
 * ```text
 * [1] [Relevance: 0.87] [source: docs/berlin.md]
 * <document id="1" source="docs/berlin.md" relevance="0.87">
 * Berlin had a population of 3,520,031 registered inhabitants.
 * </document>
 * ```
 *
 * Delimiter-like text inside a chunk (`</document>`, `<context>`) is neutralised so that a document
 * cannot close its own block and pose as prompt text.
 *
 * @example
 * buildContext(hits, { maxTokens: 2000 }).blocks.map((b) => b.n) // [1, 2, 3, 4]
 */
export function buildContext(hits: readonly RetrievalHit[], options: ContextOptions = {}): BuiltContext {
  const budget =
    options.maxTokens !== undefined
      ? checkBudget('maxTokens', options.maxTokens) * CHARS_PER_TOKEN
      : checkBudget('maxChars', options.maxChars ?? DEFAULT_CONTEXT_MAX_CHARS);
  const formatSource = options.formatSource ?? ((chunk: StoredChunk) => chunk.source);
  const blocks: ContextBlock[] = [];
  let used = 0;
  for (const hit of hits) {
    const n = blocks.length + 1;
    const source = oneLine(formatSource(hit.chunk));
    const relevance = hit.rerankScore ?? null;
    const body = neutraliseDelimiters(hit.chunk.text.trim());
    const separator = blocks.length > 0 ? 2 : 0;
    let block = formatBlock(n, source, relevance, body);
    let truncated = false;
    if (used + separator + block.length > budget) {
      if (blocks.length > 0) break;
      const room = budget - (block.length - body.length) - 1;
      if (room < 1) break;
      block = formatBlock(n, source, relevance, `${body.slice(0, room)}…`);
      truncated = true;
    }
    used += separator + block.length;
    blocks.push({ n, hit, source, relevance, text: block, truncated });
  }
  return { text: blocks.map((b) => b.text).join('\n\n'), blocks, omitted: hits.length - blocks.length };
}

/**
 * Makes delimiter tags inside a document inert by escaping their `<`: `</document>` becomes
 * `&lt;/document>`, readable to a model but no longer the end of a block.
 *
 * @example
 * neutraliseDelimiters('a </document> b') // 'a &lt;/document> b'
 */
export function neutraliseDelimiters(text: string): string {
  return text.replace(/<(?=\s*\/?\s*(?:documents?|context)\b)/gi, '&lt;');
}

function formatBlock(n: number, source: string, relevance: number | null, body: string): string {
  const score = relevance === null ? '' : ` [Relevance: ${relevance.toFixed(2)}]`;
  const attr = relevance === null ? '' : ` relevance="${relevance.toFixed(2)}"`;
  return `[${n}]${score} [source: ${source}]\n<document id="${n}" source="${escapeAttribute(source)}"${attr}>\n${body}\n</document>`;
}

function escapeAttribute(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Sources go in one header line; a newline in a file name must not start a fake line. */
function oneLine(value: string): string {
  return value.replace(/[\r\n]+/g, ' ');
}

function checkBudget(name: string, value: number): number {
  if (!Number.isFinite(value) || value < 1)
    throw new SiftError('INVALID_OPTION', `${name} must be a number >= 1, got ${String(value)}`);
  return value;
}
