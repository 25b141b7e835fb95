import { describe, expect, it } from 'vitest';
import { COMMANDS, main } from './main.ts';
import { fakeIo } from './test-io.ts';

describe('tellflow (dispatch and help)', () => {
  it('lists every verb with --help, -h and help, exit 0', async () => {
    for (const argv of [['--help'], ['-h'], ['help']]) {
      const io = fakeIo();
      expect(await main(argv, io)).toBe(0);
      for (const c of COMMANDS) expect(io.out).toContain(`  ${c.name}`);
      expect(io.err).toBe('');
    }
  });

  it('prints the usage to stderr and exits 2 without a verb', async () => {
    const io = fakeIo();
    expect(await main([], io)).toBe(2);
    expect(io.err).toContain('Usage: tellflow COMMAND');
    expect(io.out).toBe('');
  });

  it('shows a verb\'s usage with "help VERB", "VERB --help" and "VERB -h"', async () => {
    for (const c of COMMANDS) {
      for (const argv of [
        ['help', c.name],
        [c.name, '--help'],
        [c.name, 'some-file', '-h'],
      ]) {
        const io = fakeIo();
        expect(await main(argv, io), argv.join(' ')).toBe(0);
        expect(io.out).toBe(c.usage);
      }
    }
  });

  it('treats --help after "--" as an argument, not a help request', async () => {
    const io = fakeIo();
    expect(await main(['validate', '--', '--help'], io)).toBe(2);
    expect(io.err).toBe('tellflow validate: cannot read --help: no such file\n');
  });

  it('rejects an unknown verb or option with the list of verbs, exit 2', async () => {
    for (const [argv, what] of [
      [['frobnicate'], 'unknown command "frobnicate"'],
      [['--verbose'], 'unknown option "--verbose"'],
      [['help', 'nope'], 'unknown command "nope"'],
    ] as const) {
      const io = fakeIo();
      expect(await main([...argv], io)).toBe(2);
      expect(io.err).toContain(what);
      expect(io.err).toContain(`commands are: ${COMMANDS.map((c) => c.name).join(', ')}`);
      expect(io.out).toBe('');
    }
  });

  it('every verb has a name, a one-line summary and a usage that starts with its synopsis', () => {
    const names = COMMANDS.map((c) => c.name);
    expect(new Set(names).size).toBe(names.length);
    for (const c of COMMANDS) {
      expect(c.name).toMatch(/^[a-z][a-z-]*$/);
      expect(c.summary).not.toContain('\n');
      expect(c.usage.startsWith(`Usage: tellflow ${c.name}`)).toBe(true);
      expect(c.usage.endsWith('\n')).toBe(true);
    }
  });

  it('turns an unexpected exception into one line without a stack, exit 1', async () => {
    const io = fakeIo();
    io.stdout = () => {
      throw new TypeError('boom\nsecond line');
    };
    expect(await main(['schema'], io)).toBe(1);
    expect(io.err).toMatch(/^tellflow schema: internal error: boom\n\(set TELLFLOW_DEBUG=1 to see the stack trace\)\n$/);
  });

  it('reports a file-system error without a code by its message', async () => {
    const io = fakeIo();
    io.readFile = () => Promise.reject(new Error('disk on fire\n    at somewhere'));
    expect(await main(['validate', 'a.json'], io)).toBe(2);
    expect(io.err).toBe('tellflow validate: cannot read a.json: disk on fire\n');
  });
});
