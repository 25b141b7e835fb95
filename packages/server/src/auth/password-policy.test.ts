import { describe, expect, it } from 'vitest';
import { passwordProblem } from './password-policy.ts';

describe('the password policy', () => {
  it('refuses what NIST SP 800-63B says to refuse, naming the rule', () => {
    const cases: Array<[string, RegExp]> = [
      ['12345678', /at least 10 characters/],
      ['short', /at least 10 characters/],
      ['x'.repeat(1025), /at most 1024 characters/],
      ['1234567890', /10,000 most common/],
      ['qwertyuiop', /10,000 most common/],
      ['basketball', /10,000 most common/],
      ['Password2024!', /common password \("password"\) with digits or symbols added/],
      ['!!dragon12345', /common password \("dragon"\)/],
      ['agent-smith-77', /must not contain the username/],
      ['zzzzzzzzzzzz', /one character repeated/],
      ['ééééééééééé', /one character repeated/],
      ['abcdefghijkl', /run of consecutive characters/],
      ['9876543210987', /run of consecutive characters/],
      ['3456789012', /run of consecutive characters/],
      ['ZYXWVUTSRQ', /run of consecutive characters/],
    ];
    for (const [password, rule] of cases) expect(passwordProblem(password, 'agent'), password.slice(0, 20)).toMatch(rule);
  });

  it('accepts long, uncommon passwords of any characters, counting characters not bytes', () => {
    for (const password of ['correct horse battery', 'a new password', 'Tr0ub4dor&3xyz', 'ağaçlar yeşil', 'xy'.repeat(512), '日本語のパスワードです']) {
      expect(passwordProblem(password, 'agent'), password.slice(0, 20)).toBeUndefined();
    }
    // A short username is not searched for: "bob" would forbid half the dictionary.
    expect(passwordProblem('bobsleigh team', 'bob')).toBeUndefined();
  });
});
