import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Tokenizer as HfTokenizer } from '@huggingface/tokenizers';
import { SiftError } from '../errors.js';

/**
 * Loads a Hugging Face `tokenizer.json` (and `tokenizer_config.json` beside it, when present) with
 * tokenizers.js, the pure-JS port of the Rust `tokenizers` library. Loaded tokenizers are cached by
 * path: a reranker and an embedder sharing a vocabulary parse the file once.
 */
const cache = new Map<string, Promise<LoadedTokenizer>>();

interface EncodeOptions {
  text_pair?: string | null;
  add_special_tokens?: boolean;
  return_token_type_ids?: boolean | null;
}

/** One text's (or one pair's) encoding, as tokenizers.js returns it. */
export interface TokenizerEncoding {
  ids: number[];
  tokens: string[];
  attention_mask: number[];
  token_type_ids?: number[];
}

/**
 * The part of tokenizers.js (`@huggingface/tokenizers`) sift uses, typed here: the package's own
 * declarations do not resolve under `moduleResolution: NodeNext` (its `types/index.d.ts` re-exports
 * extensionless relative paths), so its `Tokenizer` type-checks as `any`. Same names and shapes as
 * its `types/core/Tokenizer.d.ts`.
 */
export interface Tokenizer {
  encode(
    text: string,
    options: EncodeOptions & { return_token_type_ids: true },
  ): TokenizerEncoding & { token_type_ids: number[] };
  encode(text: string, options?: EncodeOptions): TokenizerEncoding;
  decode(
    ids: readonly number[],
    options?: { skip_special_tokens?: boolean; clean_up_tokenization_spaces?: boolean | null },
  ): string;
  /** The id of a token, or undefined when it is not in the vocabulary. */
  token_to_id(token: string): number | undefined;
}

export interface LoadedTokenizer {
  tokenizer: Tokenizer;
  /** `tokenizer_config.json`, or an empty object. */
  config: Record<string, unknown>;
  /** The padding token id (`[PAD]` = 0 for BERT, `<pad>` = 1 for XLM-R). */
  padId: number;
  /** `model_max_length` from tokenizer_config.json when it is a real limit (not the 1e30 sentinel). */
  modelMaxLength: number | undefined;
}

export function loadTokenizer(path: string): Promise<LoadedTokenizer> {
  let pending = cache.get(path);
  if (!pending) {
    pending = readTokenizer(path);
    cache.set(path, pending);
    pending.catch(() => cache.delete(path));
  }
  return pending;
}

/** The fix for a damaged tokenizer file (usually a truncated or interrupted download). */
const REFETCH = 'a truncated or corrupt download? delete the model folder and run `sift models pull <model>` again';

async function readTokenizer(path: string): Promise<LoadedTokenizer> {
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
  } catch (err) {
    throw new SiftError('MODEL_INVALID', `cannot read tokenizer ${path}: ${(err as Error).message}; ${REFETCH}`, {
      cause: err,
      details: { path },
    });
  }
  const config = await readOptionalJson(join(dirname(path), 'tokenizer_config.json'));
  let tokenizer: Tokenizer;
  try {
    // HfTokenizer is `any` to the type checker (see `Tokenizer` above); the interface restores the checks.
    // eslint-disable-next-line @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-call
    tokenizer = new HfTokenizer(json, config);
  } catch (err) {
    throw new SiftError(
      'MODEL_INVALID',
      `tokenizer ${path} is not a usable tokenizer.json: ${(err as Error).message}; ${REFETCH}`,
      {
        cause: err,
        details: { path },
      },
    );
  }
  const padding = json.padding as { pad_id?: number } | null | undefined;
  const padId =
    padding?.pad_id ??
    tokenizer.token_to_id(typeof config.pad_token === 'string' ? config.pad_token : '[PAD]') ??
    tokenizer.token_to_id('<pad>') ??
    0;
  const max = typeof config.model_max_length === 'number' ? config.model_max_length : undefined;
  return { tokenizer, config, padId, modelMaxLength: max !== undefined && max < 1e6 ? max : undefined };
}

async function readOptionalJson(path: string): Promise<Record<string, unknown>> {
  try {
    const parsed: unknown = JSON.parse(await readFile(path, 'utf8'));
    return parsed !== null && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
