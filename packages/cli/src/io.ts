/**
 * What a command may do to the outside world. Commands get this instead of
 * touching `process` or `fs`, so tests run them in-process with fake io.
 */
import { readFile } from 'node:fs/promises';

export interface Io {
  /** Writes text as is (commands add their own newlines). */
  stdout(text: string): void;
  stderr(text: string): void;
  /** The file's bytes; rejects with a Node.js file-system error (`code` ENOENT, EISDIR…). */
  readFile(path: string): Promise<Uint8Array>;
}

/** The real thing: process streams and the file system. */
export function processIo(): Io {
  // `tellflow schema | head` closes the pipe early; that is not an error worth a stack trace.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
      throw error;
    });
  }
  return {
    stdout: (text) => void process.stdout.write(text),
    stderr: (text) => void process.stderr.write(text),
    readFile: (path) => readFile(path),
  };
}

/** A one-line reason for a failed read, e.g. "no such file". */
export function describeFsError(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  switch (code) {
    case 'ENOENT':
      return 'no such file';
    case 'EISDIR':
      return 'is a directory';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'ENOTDIR':
      return 'a parent of the path is not a directory';
    case 'ENAMETOOLONG':
      return 'file name too long';
    default: {
      const message = error instanceof Error ? error.message : String(error);
      return (message.split('\n')[0] ?? message) || 'unknown error';
    }
  }
}
