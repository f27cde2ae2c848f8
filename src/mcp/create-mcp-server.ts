import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { McpContext } from './mcp-context.js';
import { registerAskTool } from './tools/ask-tool.js';
import { registerIngestTool } from './tools/ingest-tool.js';
import { registerQueryTool } from './tools/query-tool.js';
import { registerRerankTool } from './tools/rerank-tool.js';
import { registerSearchTool } from './tools/search-tool.js';

/** The server's name and version in the MCP handshake. */
export const MCP_SERVER_INFO = { name: 'sift', version: '0.1.0' } as const;

/**
 * The store as Model Context Protocol tools for agents, on the official TypeScript SDK: `search`
 * (stage 1), `query` (two-stage), `ask` (answer with citations), `rerank` (documents the agent
 * has), and `ingest` when the context allows it. Each tool has a JSON Schema for its input (from
 * zod, with the HTTP API's names and limits) and returns readable text and structured content; a
 * failure is a tool error with sift's code and message, and the server keeps serving.
 * Connect it to a transport (`sift mcp` uses stdio).
 *
 * @example
 * const server = createMcpServer(context);
 * await server.connect(new StdioServerTransport());
 */
export function createMcpServer(ctx: McpContext): McpServer {
  const server = new McpServer(MCP_SERVER_INFO, {
    instructions:
      'sift searches the documents ingested into one local store. Use `query` for the best few chunks on a question, ' +
      '`ask` for an answer with citations, `search` for a quick first-stage list, and `rerank` to order texts you already have.',
  });
  registerSearchTool(server, ctx);
  registerQueryTool(server, ctx);
  registerAskTool(server, ctx);
  registerRerankTool(server, ctx);
  if (ctx.ingest) registerIngestTool(server, ctx, ctx.ingest);
  return server;
}
