/**
 * The text/event-stream wire format (WHATWG HTML, "server-sent events"):
 * writing messages, and reading them back (for tests and the response check).
 */

export interface SseMessage {
  id?: string;
  event?: string;
  /** The data lines joined with "\n" (JSON here: always one line). */
  data?: string;
  retry?: number;
}

/** One message; the caller makes sure `id` and `event` hold no line break (event types are checked when published). */
export function formatMessage(m: SseMessage): string {
  let out = '';
  if (m.retry !== undefined) out += `retry: ${m.retry}\n`;
  if (m.id !== undefined) out += `id: ${m.id}\n`;
  if (m.event !== undefined) out += `event: ${m.event}\n`;
  if (m.data !== undefined) for (const line of m.data.split('\n')) out += `data: ${line}\n`;
  return `${out}\n`;
}

/** A comment line: ignored by clients, it keeps proxies and the connection from going idle. */
export const formatComment = (text: string) => `: ${text}\n\n`;

/** The complete messages in `text` (a trailing incomplete one is left out), comments skipped. */
export function parseMessages(text: string): SseMessage[] {
  const out: SseMessage[] = [];
  const blocks = text.replace(/\r\n?/g, '\n').split('\n\n');
  blocks.pop(); // after the last blank line: incomplete, or empty
  for (const block of blocks) {
    const m: SseMessage = {};
    const data: string[] = [];
    let fields = 0;
    for (const line of block.split('\n')) {
      if (line === '' || line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const name = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
      fields++;
      if (name === 'data') data.push(value);
      else if (name === 'id') m.id = value;
      else if (name === 'event') m.event = value;
      else if (name === 'retry') m.retry = Number(value);
    }
    if (data.length) m.data = data.join('\n');
    if (fields) out.push(m);
  }
  return out;
}
