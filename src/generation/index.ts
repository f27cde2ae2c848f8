export { answer, streamAnswer, type AnswerEvent, type AnswerOptions, type AnswerResult } from './answer.js';
export {
  buildContext,
  neutraliseDelimiters,
  DEFAULT_CONTEXT_MAX_CHARS,
  type BuiltContext,
  type ContextBlock,
  type ContextOptions,
} from './build-context.js';
export { buildMessages, NOT_FOUND_ANSWER, SYSTEM_PROMPT, type ChatMessage } from './build-messages.js';
export { ChatClient, chatCompletionsUrl, DEFAULT_LLM_TIMEOUT_MS, type ChatClientOptions } from './chat-client.js';
export { citationOf, citedNumbers, type Citation } from './citation.js';
export {
  extractiveAnswer,
  DEFAULT_EXTRACTIVE_MIN_SCORE,
  type ExtractedSentence,
  type ExtractiveAnswer,
  type ExtractiveOptions,
} from './extractive-answer.js';
export { parseSse, type SseEvent } from './parse-sse.js';
export { splitSentences, type Sentence } from './split-sentences.js';
