/**
 * A subscriber file as text: bytes from a string, a buffer or a stream,
 * decoded as UTF-8 (or UTF-16 with its byte-order mark), the BOM dropped,
 * in chunks of a bounded size. Input that is not text (a spreadsheet, a ZIP
 * archive, bytes that are not UTF-8, NUL characters) is a fatal error with
 * the line it was found on.
 */
import { RuntimeError } from '../errors.ts';

export type SubscriberSource = string | Uint8Array | AsyncIterable<string | Uint8Array>;

/** A problem with the whole file: nothing is imported. `details.errors` holds the one error. */
export function fatal(line: number, message: string): RuntimeError {
  return new RuntimeError(400, `line ${line}: ${message}`, { errors: [{ line, message }] });
}

const CHUNK = 1 << 20;

/** The file's text in chunks, as written (no newline translation). */
export async function* textChunks(source: SubscriberSource): AsyncGenerator<string> {
  let newlines = 0;
  const checked = (text: string): string => {
    const nul = text.indexOf('\0');
    if (nul >= 0) throw fatal(newlines + countNewlines(text, nul) + 1, 'the file contains NUL characters: it is not CSV text');
    newlines += countNewlines(text, text.length);
    return text;
  };

  if (typeof source === 'string') {
    const text = source.charCodeAt(0) === 0xfeff ? source.slice(1) : source;
    for (let at = 0; at < text.length; ) {
      let end = Math.min(at + CHUNK, text.length);
      // Never split a surrogate pair.
      if (end < text.length && isHighSurrogate(text.charCodeAt(end - 1))) end++;
      yield checked(text.slice(at, end));
      at = end;
    }
    return;
  }

  let decoder: TextDecoder | undefined;
  let head: Uint8Array = new Uint8Array(0);
  const decode = (bytes: Uint8Array, stream: boolean): string => {
    try {
      return decoder!.decode(bytes, { stream });
    } catch {
      // Where the bad bytes are: the text up to the first replacement character.
      const lenient = new TextDecoder(decoder!.encoding).decode(bytes);
      const bad = lenient.indexOf('\uFFFD');
      throw fatal(
        newlines + countNewlines(lenient, bad < 0 ? lenient.length : bad) + 1,
        `the file is not ${decoder!.encoding.toUpperCase()} text (save it as "CSV UTF-8")`,
      );
    }
  };

  let started = false;
  for await (const chunk of source instanceof Uint8Array ? once(source) : source) {
    if (typeof chunk === 'string') {
      // A stream in text mode: already decoded.
      const text = !started && chunk.charCodeAt(0) === 0xfeff ? chunk.slice(1) : chunk;
      started = true;
      if (text) yield checked(text);
      continue;
    }
    started = true;
    let bytes = chunk;
    if (decoder === undefined) {
      // Enough bytes to recognise a byte-order mark or a binary format.
      head = concat(head, bytes);
      if (head.length < 4) continue;
      decoder = pickDecoder(head);
      bytes = head;
    }
    for (let at = 0; at < bytes.length; at += CHUNK) {
      const text = decode(bytes.subarray(at, at + CHUNK), true);
      if (text) yield checked(text);
    }
  }
  if (decoder === undefined) {
    if (head.length === 0) return;
    decoder = pickDecoder(head);
    const text = decode(head, true);
    if (text) yield checked(text);
  }
  const rest = decode(new Uint8Array(0), false);
  if (rest) yield checked(rest);
}

async function* once(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  yield bytes;
}

function pickDecoder(head: Uint8Array): TextDecoder {
  const [b0, b1, b2, b3] = head;
  if (b0 === 0x50 && b1 === 0x4b && b2 === 0x03 && b3 === 0x04) {
    throw fatal(1, 'the file is a ZIP archive or an Excel workbook (.xlsx), not CSV text (save it as "CSV UTF-8")');
  }
  if (b0 === 0xd0 && b1 === 0xcf && b2 === 0x11 && b3 === 0xe0) {
    throw fatal(1, 'the file is an Excel workbook (.xls), not CSV text (save it as "CSV UTF-8")');
  }
  // TextDecoder drops the byte-order mark itself.
  if (b0 === 0xff && b1 === 0xfe) return new TextDecoder('utf-16le', { fatal: true });
  if (b0 === 0xfe && b1 === 0xff) return new TextDecoder('utf-16be', { fatal: true });
  return new TextDecoder('utf-8', { fatal: true });
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b;
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

const isHighSurrogate = (code: number) => code >= 0xd800 && code <= 0xdbff;

/** How many "\n" are in `text` before `end`. */
export function countNewlines(text: string, end: number): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < end; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

/**
 * The delimiter a header line uses: whichever of `,` `;` and tab occurs most
 * often outside double quotes (a one-column header: `,`).
 */
export function detectDelimiter(headerLine: string): string {
  const counts = new Map<string, number>([
    [',', 0],
    [';', 0],
    ['\t', 0],
  ]);
  let quoted = false;
  for (const ch of headerLine) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && counts.has(ch)) counts.set(ch, counts.get(ch)! + 1);
  }
  let best = ',';
  for (const [ch, n] of counts) if (n > counts.get(best)!) best = ch;
  return best;
}
