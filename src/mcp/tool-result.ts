import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { errorResponse } from '../server/error-response.js';

/**
 * A successful tool result: readable text for the model and the same facts as structured content
 * for programs (MCP 2025-06-18 `structuredContent`).
 */
export function toolResult(text: string, structured: Record<string, unknown>): CallToolResult {
  return { content: [{ type: 'text', text }], structuredContent: structured };
}

/** The `_meta` key of a failed call's `{"code", "message", "details"?}`. */
export const ERROR_META_KEY = 'sift/error';

/**
 * A failed tool call as an MCP tool error (`isError: true`), so the agent sees what went wrong and
 * the server keeps serving: the text is sift's message with its code, and `_meta["sift/error"]` holds
 * `{"code", "message"}` as the HTTP API answers it. Not `structuredContent`: that must match the tool's
 * output schema, and the SDK's client checks it on errors too. The mapping is the HTTP server's
 * (`errorResponse`): SiftErrors and HTTP-layer errors keep their code, anything else is INTERNAL
 * with a generic message, and is logged with its stack.
 *
 * @example
 * toolError(new SiftError('QUERY_TOO_LONG', 'the query is 600 tokens...'), log)
 * // { isError: true, content: [{ type: 'text', text: 'sift: the query is 600 tokens... (QUERY_TOO_LONG)' }], _meta: { 'sift/error': { code: 'QUERY_TOO_LONG', ... } } }
 */
export function toolError(err: unknown, tool: string, log: (message: string) => void): CallToolResult {
  const res = errorResponse(err);
  if (res.unexpected)
    log(`sift mcp: ${tool} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  const { code, message } = res.body.error;
  return {
    isError: true,
    content: [{ type: 'text', text: `${message} (${code})` }],
    _meta: { [ERROR_META_KEY]: res.body.error },
  };
}

/** Runs a tool body, turning any failure into a tool error. */
export async function guarded(
  tool: string,
  log: (message: string) => void,
  body: () => Promise<CallToolResult>,
): Promise<CallToolResult> {
  try {
    return await body();
  } catch (err) {
    return toolError(err, tool, log);
  }
}

/** A one-line preview of a text for the readable results. */
export function preview(text: string, width = 160): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > width ? `${flat.slice(0, width - 1)}…` : flat;
}
