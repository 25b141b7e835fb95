/**
 * Request bodies that are files, not JSON (the subscriber CSV upload): the
 * media type is checked (415), the declared size too (413 before anything is
 * read), and the body is handed over as a stream of chunks that throws a 413
 * once more than `maxBytes` have arrived — it is never held in memory whole.
 * `spoolToFile` writes such a stream to a temporary file.
 */
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Context } from 'hono';
import { tooLarge, unsupportedMediaType } from '../errors.ts';

export interface RawBodySpec {
  /** Accepted media types (`type/subtype`, lower case); a request without a Content-Type is accepted too. */
  mediaTypes: readonly string[];
  /** The largest body accepted, in bytes. */
  maxBytes: number;
  /** What the body is, for the document. */
  description: string;
}

export interface RawBody {
  /** The body's bytes as they arrive; read once. Reading past `maxBytes` throws a 413. */
  chunks: AsyncIterable<Uint8Array>;
  /** The Content-Type's `type/subtype`, lower case, if one was sent. */
  mediaType: string | undefined;
  /** Its `charset` parameter, if any. */
  charset: string | undefined;
}

export function rawBody(c: Context, spec: RawBodySpec): RawBody {
  const { mediaType, charset } = checkRawBody(c, spec);
  return { chunks: limitedChunks(c.req.raw.body, spec.maxBytes), mediaType, charset };
}

/** What `rawBody` checks before anything is read: the media type (415) and the declared size (413). */
export function checkRawBody(c: Context, spec: RawBodySpec): { mediaType: string | undefined; charset: string | undefined } {
  const { mediaType, charset } = parseContentType(c.req.header('content-type'));
  if (mediaType !== undefined && !spec.mediaTypes.includes(mediaType)) {
    throw unsupportedMediaType(`the request body must be sent as ${spec.mediaTypes.join(' or ')}, not ${mediaType}`, { accepted: spec.mediaTypes });
  }
  const declared = c.req.header('content-length');
  if (declared !== undefined && !c.req.header('transfer-encoding') && Number(declared) > spec.maxBytes) throw tooLarge(spec.maxBytes);
  return { mediaType, charset };
}

export function parseContentType(header: string | undefined): { mediaType: string | undefined; charset: string | undefined } {
  if (!header?.trim()) return { mediaType: undefined, charset: undefined };
  const [type, ...params] = header.split(';');
  let charset: string | undefined;
  for (const p of params) {
    const at = p.indexOf('=');
    if (at > 0 && p.slice(0, at).trim().toLowerCase() === 'charset')
      charset =
        p
          .slice(at + 1)
          .trim()
          .replace(/^"(.*)"$/, '$1') || undefined;
  }
  return { mediaType: type!.trim().toLowerCase(), charset };
}

async function* limitedChunks(body: ReadableStream<Uint8Array> | null, maxBytes: number): AsyncGenerator<Uint8Array> {
  if (!body) return;
  const reader = body.getReader();
  let size = 0;
  let finished = false;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) {
        finished = true;
        return;
      }
      size += value.byteLength;
      if (size > maxBytes) throw tooLarge(maxBytes);
      yield value;
    }
  } finally {
    // Stopped early (too large, or the reader gave up): the rest of the body is not wanted.
    if (!finished) await reader.cancel().catch(() => {});
    reader.releaseLock();
  }
}

export interface SpooledFile {
  path: string;
  bytes: number;
  /** Deletes the file; safe to call more than once. */
  remove(): Promise<void>;
}

/** Writes a stream of chunks to a new temporary file; nothing is left behind when the stream fails. */
export async function spoolToFile(chunks: AsyncIterable<Uint8Array>, prefix = 'tellflow-upload-'): Promise<SpooledFile> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  const remove = () => rm(dir, { recursive: true, force: true });
  const path = join(dir, 'body');
  let bytes = 0;
  try {
    await pipeline(
      Readable.from(
        (async function* () {
          for await (const chunk of chunks) {
            bytes += chunk.byteLength;
            yield chunk;
          }
        })(),
      ),
      createWriteStream(path),
    );
  } catch (e) {
    await remove();
    throw e;
  }
  return { path, bytes, remove };
}
