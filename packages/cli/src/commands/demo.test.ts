import { describe, expect, it } from 'vitest';
import { runDemo } from '../demo.ts';

describe('tellflow demo', () => {
  it('runs the outbound task until every subscriber is done, printing each status change', async () => {
    const lines: string[] = [];
    const r = await runDemo({ subscribers: 6, speed: 0, limitMinutes: 60, print: (l) => lines.push(l) });
    expect(r.statuses).toEqual({ '12 done': 6 });
    const out = lines.join('');
    // Subscriber 0's first call fails: it is scheduled for a callback 5 minutes later, picked up by the monitor and then done.
    expect(out).toMatch(/#\s*1 Anna Petrova\s+\+7900000000\s+new → 11 serving, operator 10\d/);
    expect(out).toMatch(/#\s*1 .*11 serving → 10 call back, due at \+00:05/);
    expect(out).toMatch(/#\s*1 .*10 call back → 11 serving/);
    expect(out).toMatch(/#\s*1 .*11 serving → 12 done/);
    // Subscriber 1 asks for a callback in 10 minutes from Form 1.
    expect(out).toMatch(/#\s*2 .*11 serving → 10 call back, due at \+00:1\d/);
    expect(r.calls).toBeGreaterThan(12);
  }, 120_000);
});
