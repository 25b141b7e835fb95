import { scenarioJsonSchema } from '@tellflow/engine';
import { describe, expect, it } from 'vitest';
import { main } from '../main.ts';
import { fakeIo } from '../test-io.ts';

describe('tellflow schema', () => {
  it('prints the scenario JSON Schema, pretty, with a trailing newline', async () => {
    const io = fakeIo();
    expect(await main(['schema'], io)).toBe(0);
    expect(io.err).toBe('');
    expect(io.out.endsWith('}\n')).toBe(true);
    expect(io.out).toContain('\n  "$schema": "https://json-schema.org/draft/2020-12/schema"');
    expect(JSON.parse(io.out)).toEqual(scenarioJsonSchema());
  });

  it('takes no arguments', async () => {
    const io = fakeIo();
    expect(await main(['schema', 'out.json'], io)).toBe(2);
    expect(io.err).toBe('tellflow schema: unexpected argument \'out.json\'\nRun "tellflow schema --help" for usage.\n');
    expect(io.out).toBe('');
  });
});
