/** Fake io for running commands in-process: files from a map, output captured. */
import type { Io } from './io.ts';

export interface FakeIo extends Io {
  out: string;
  err: string;
}

export function fakeIo(files: Record<string, string | Uint8Array> = {}): FakeIo {
  const io: FakeIo = {
    out: '',
    err: '',
    stdout: (text) => void (io.out += text),
    stderr: (text) => void (io.err += text),
    readFile: async (path) => {
      const content = files[path];
      if (content === undefined) throw Object.assign(new Error(`ENOENT: no such file or directory, open '${path}'`), { code: 'ENOENT' });
      return typeof content === 'string' ? new TextEncoder().encode(content) : content;
    },
  };
  return io;
}

/** A small valid scenario; `overrides` replace top-level fields. */
export function scenarioText(overrides: Record<string, unknown> = {}, nodes?: unknown[], edges?: unknown[]): string {
  return JSON.stringify({
    format: 'tellflow.scenario/v1',
    id: 'greeting',
    name: 'Greeting',
    kind: 'inbound',
    nodes: nodes ?? [
      { id: 'start', type: 'start' },
      { id: 'end', type: 'end' },
    ],
    edges: edges ?? [{ source: 'start', sourceHandle: 'next', target: 'end' }],
    ...overrides,
  });
}
