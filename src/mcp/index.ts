export { createMcpServer, MCP_SERVER_INFO } from './create-mcp-server.js';
export type { McpContext } from './mcp-context.js';
export { toolError, toolResult } from './tool-result.js';
