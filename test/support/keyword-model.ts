import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildKeywordDetector } from '../../tools/model-gen/keyword-detector.js';
import { modelGenDir } from '../../tools/model-gen/paths.js';
import { wordPieceTokenizerJson } from '../../tools/model-gen/wordpiece-tokenizer.js';
import { writeModelFolder } from '../../tools/model-gen/write-model-folder.js';
import { TEST_MODEL_CONFIGS } from './test-models.js';

/** The word the keyword judge looks for: one token of the generated WordPiece vocabulary. */
export const KEYWORD = 'zebra';

/**
 * The keyword judge reads at most this many tokens per pair (its config's `max_position_embeddings`),
 * so tests reach past its limit with a few hundred characters instead of a few thousand.
 */
export const KEYWORD_JUDGE_MAX_LENGTH = 64;

/** Logits of a pair with and without the keyword in its passage. */
export const KEYWORD_LOGITS = { hit: 2, miss: -2 } as const;

let pending: Promise<string> | undefined;

/**
 * A generated judge in the Hub layout whose score depends only on whether the passage it reads holds
 * `KEYWORD` (`tools/model-gen/keyword-detector.ts`): logit 2 with it, -2 without. With the generated
 * WordPiece tokenizer and a 64-token limit, it shows exactly which tokens of a long document
 * the judge read. Cached under `os.tmpdir()/sift-test-models` like the other test models.
 *
 * @example
 * const judge = new CrossEncoderReranker({ model: await keywordJudgeDir() });
 * (await judge.rerank('q', ['a zebra', 'a horse'])).results.map((r) => r.logit) // [2, -2]
 */
export function keywordJudgeDir(): Promise<string> {
  pending ??= (async () => {
    // config.json as a real one-logit BERT cross-encoder's, with the short length limit; the folder gets
    // the generated WordPiece tokenizer of that vocabulary size, in which the keyword is one token.
    const model = { ...TEST_MODEL_CONFIGS.reranker, maxPositions: KEYWORD_JUDGE_MAX_LENGTH };
    const keywordId = wordPieceTokenizerJson(model.vocabSize).model.vocab[KEYWORD];
    if (keywordId === undefined)
      throw new Error(`keyword-model: "${KEYWORD}" is not one token of the generated vocabulary`);
    const config = { keywordId, hitLogit: KEYWORD_LOGITS.hit, missLogit: KEYWORD_LOGITS.miss };
    const hash = createHash('sha256').update(JSON.stringify({ config, model }));
    for (const file of readdirSync(modelGenDir)
      .filter((f) => f.endsWith('.ts'))
      .sort())
      hash.update(file).update(readFileSync(join(modelGenDir, file)));
    const dir = join(tmpdir(), 'sift-test-models', `reranker-keyword-${hash.digest('hex').slice(0, 12)}`);
    await writeModelFolder(dir, { model, build: () => buildKeywordDetector(config), ifExists: 'keep' });
    return dir;
  })();
  return pending;
}
