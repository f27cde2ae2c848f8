import type { ChatClientOptions } from '../generation/chat-client.js';
import type { SearchSetup } from '../pipeline/open-search.js';
import type { Reranker } from '../reranking/reranker.js';
import type { IngestService } from '../server/ingest-service.js';
import type { SearchService } from '../server/search-service.js';
import type { ServerLimits } from '../server/server-limits.js';

/** What the MCP tools share: the open store, the judge, two-stage search over both, optional ingest. */
export interface McpContext {
  /** The store, its stage-1 retrievers and embedder (`openSearch`). */
  setup: SearchSetup;
  /** The judge, loaded on first use (see `judgeReady`). */
  judge: Reranker;
  /** Two-stage search over the store's retrievers with `judge` (the HTTP server's search service). */
  search: SearchService;
  /** Loads the judge once; concurrent callers share the load, a failed load is tried again by the next call. */
  judgeReady: () => Promise<void>;
  /** Ingest into the store, confined to the roots given (`--ingest-root`); without it no `ingest` tool. */
  ingest?: IngestService | undefined;
  /** The LLM that writes `ask` answers; without one answers are extractive (quoted sentences). */
  llm?: ChatClientOptions | undefined;
  /** Input limits, as the HTTP server's (documents per rerank, characters per text, candidates). */
  limits: ServerLimits;
  /** Where logs go: stderr, never stdout (stdout carries the protocol). */
  log: (message: string) => void;
}
