/**
 * A server-sent events reader (https://html.spec.whatwg.org/multipage/server-sent-events.html),
 * as chat-completions endpoints stream: `data: {...}` lines, events ended by a blank line.
 */

export interface SseEvent {
  /** The `event:` field, when the server names events. */
  event: string | undefined;
  /** The `data:` lines of the event joined with `\n`. */
  data: string;
}

/**
 * Yields the events of a byte stream. Bytes may be cut anywhere: inside a line, inside a `\r\n`,
 * inside a multi-byte character. Comments (`: keep-alive`) and unknown fields are skipped. An event
 * left open when the stream ends is still delivered, since some servers omit the last blank line.
 *
 * @example
 * for await (const e of parseSse(response.body)) console.log(e.data) // '{"choices":[...]}', ..., '[DONE]'
 */
export async function* parseSse(body: AsyncIterable<Uint8Array>): AsyncGenerator<SseEvent> {
  const decoder = new TextDecoder();
  const state: ReaderState = { buffer: '', data: [], event: undefined };
  for await (const bytes of body) {
    state.buffer += decoder.decode(bytes, { stream: true });
    yield* drain(state, false);
  }
  state.buffer += decoder.decode();
  yield* drain(state, true);
  if (state.data.length > 0) yield { event: state.event, data: state.data.join('\n') };
}

interface ReaderState {
  buffer: string;
  data: string[];
  event: string | undefined;
}

function* drain(state: ReaderState, final: boolean): Generator<SseEvent> {
  for (;;) {
    const end = /\r\n|\r|\n/.exec(state.buffer);
    if (!end) break;
    // A lone `\r` at the end of the buffer may be the first half of a `\r\n` still on its way.
    if (end[0] === '\r' && end.index === state.buffer.length - 1 && !final) break;
    const line = state.buffer.slice(0, end.index);
    state.buffer = state.buffer.slice(end.index + end[0].length);
    if (line === '') {
      if (state.data.length > 0) yield { event: state.event, data: state.data.join('\n') };
      state.data = [];
      state.event = undefined;
      continue;
    }
    if (line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'data') state.data.push(value);
    else if (field === 'event') state.event = value;
  }
  if (final && state.buffer !== '') {
    // The last line had no line end: end it, and read it like the others.
    state.buffer += '\n';
    yield* drain(state, true);
  }
}
