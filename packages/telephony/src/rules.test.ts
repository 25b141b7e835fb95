import { describe, expect, it } from 'vitest';
import { compilePattern } from './match.ts';
import { CompiledRuleSet, DEFAULT_AFTER_MS, parseRuleSet, parseSimRulesFile, SimRulesError } from './rules.ts';

describe('patterns', () => {
  it('matches exact numbers, globs and regexes', () => {
    expect(compilePattern('+79990001122')('+79990001122')).toBe(true);
    expect(compilePattern('+79990001122')('+799900011223')).toBe(false);
    expect(compilePattern('+7999*')('+79991234567')).toBe(true);
    expect(compilePattern('+7999*')('+78881234567')).toBe(false);
    expect(compilePattern('*00')('+7100')).toBe(true);
    expect(compilePattern('+1(555)*')('+1(555)123')).toBe(true); // glob escapes regex characters
    expect(compilePattern('/^\\+44\\d+$/')('+4420')).toBe(true);
    expect(compilePattern('/^op-/i')('OP-7')).toBe(true);
    expect(compilePattern('/^\\+44/')('+33')).toBe(false);
  });
});

describe('rules schema', () => {
  it('fills defaults', () => {
    expect(parseRuleSet({})).toEqual({ rules: [], default: 'answered' });
    expect(parseRuleSet({ rules: [{ match: '1', outcome: 'busy' }] }).rules[0]).toEqual({
      match: '1',
      outcome: 'busy',
      afterMs: DEFAULT_AFTER_MS,
    });
  });

  it('rejects bad data with the path of every problem', () => {
    const bad = {
      default: 'maybe',
      rules: [
        { match: '1', outcome: 'answered' },
        { match: '/([/', outcome: 'busy' },
        { match: '2', outcome: 'ringing', afterMs: -1 },
        { match: '3', sequence: [] },
        { match: '4', outcome: 'busy', sequence: ['failed'] },
        { match: '5', outcome: 'busy', extra: true },
      ],
    };
    let error: unknown;
    try {
      parseRuleSet(bad);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SimRulesError);
    const message = (error as SimRulesError).message;
    expect(message).toMatch(/^invalid simulator rules:/);
    for (const path of ['default', 'rules[1].match', 'rules[2].outcome', 'rules[2].afterMs', 'rules[3].sequence', 'rules[4].outcome', 'rules[5]']) {
      expect(message).toContain(`  - ${path}:`);
    }
    expect(message).toContain('invalid pattern');
    expect(message).toContain('exactly one of "outcome" or "sequence"');
    expect((error as SimRulesError).issues.length).toBeGreaterThanOrEqual(7);
  });

  it('rejects a non-object', () => {
    expect(() => parseRuleSet([])).toThrow(/\(root\)/);
  });

  it('maps a rules file onto the simulator options', () => {
    expect(parseSimRulesFile({})).toEqual({ rules: { rules: [], default: 'answered' } });
    const parsed = parseSimRulesFile({
      customers: { rules: [{ match: '+7*', outcome: 'busy' }], default: 'noAnswer' },
      operators: { default: 'answered' },
    });
    expect(parsed.rules.default).toBe('noAnswer');
    expect(parsed.operatorRules).toEqual({ rules: [], default: 'answered' });
    expect(() => parseSimRulesFile({ customer: {} })).toThrow(/invalid simulator rules file:\n {2}- \(root\)/);
    expect(() => parseSimRulesFile({ operators: { rules: [{ match: '', outcome: 'busy' }] } })).toThrow(/operators\.rules\[0\]\.match/);
  });
});

describe('rule decisions', () => {
  const set = new CompiledRuleSet(
    parseRuleSet({
      default: 'failed',
      rules: [
        { match: '+7999000', outcome: 'busy', afterMs: 100 },
        { match: '/^\\+7999/', outcome: 'noAnswer' },
        { match: '+7999*', outcome: 'answered' },
        { match: '+1*', sequence: ['busy', 'noAnswer', 'answered'], talkMs: 5000 },
      ],
    }),
  );

  it('first matching rule wins, whatever its kind', () => {
    expect(set.decide('+7999000', 1)).toEqual({ outcome: 'busy', afterMs: 100, ruleIndex: 0 });
    // The regex (rule 1) shadows the glob (rule 2) because it comes first.
    expect(set.decide('+7999123', 1)).toMatchObject({ outcome: 'noAnswer', ruleIndex: 1 });
    expect(set.decide('+44', 1)).toEqual({ outcome: 'failed', afterMs: DEFAULT_AFTER_MS });
  });

  it('walks a sequence by attempt and repeats its last entry', () => {
    expect([1, 2, 3, 4, 9].map((attempt) => set.decide('+1555', attempt).outcome)).toEqual(['busy', 'noAnswer', 'answered', 'answered', 'answered']);
    expect(set.decide('+1555', 3).talkMs).toBe(5000);
  });
});
