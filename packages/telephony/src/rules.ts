import { z } from 'zod';
import { CALL_OUTCOMES, type CallOutcome } from './port.ts';
import { compilePattern, patternError, type Matcher } from './match.ts';

// Simulator rules are plain data so a scenario run can load them from a
// JSON file (`--sim RULES.json`). The schema is the single definition.

export const DEFAULT_AFTER_MS = 2000;

const OutcomeSchema = z.enum(CALL_OUTCOMES);
/** 'manual': the call rings until answer()/reject() or its timeout. */
export const RuleOutcomeSchema = z.enum([...CALL_OUTCOMES, 'manual']);
export type RuleOutcome = z.infer<typeof RuleOutcomeSchema>;

export const SimRuleSchema = z
  .object({
    /** Exact number, glob with "*" (e.g. "+7999*"), or "/regex/flags". */
    match: z
      .string()
      .min(1)
      .superRefine((pattern, ctx) => {
        const error = patternError(pattern);
        if (error) ctx.addIssue({ code: 'custom', message: `invalid pattern: ${error}` });
      }),
    outcome: RuleOutcomeSchema.optional(),
    /** Delay from dial to the outcome. */
    afterMs: z.number().int().nonnegative().default(DEFAULT_AFTER_MS),
    /** An answered call hangs up by itself after this long. */
    talkMs: z.number().int().positive().optional(),
    /** Successive attempts to a matching number get successive outcomes; the last repeats. */
    sequence: z.array(OutcomeSchema).min(1).optional(),
  })
  .strict()
  .refine((rule) => (rule.outcome === undefined) !== (rule.sequence === undefined), {
    message: 'a rule needs exactly one of "outcome" or "sequence"',
    path: ['outcome'],
  });
export type SimRule = z.output<typeof SimRuleSchema>;

export const SimRuleSetSchema = z
  .object({
    /** Ordered: the first matching rule wins. */
    rules: z.array(SimRuleSchema).default([]),
    default: RuleOutcomeSchema.default('answered'),
  })
  .strict();
export type SimRuleSet = z.output<typeof SimRuleSetSchema>;
export type SimRuleSetInput = z.input<typeof SimRuleSetSchema>;

/** Operators answer from the agent page unless rules say otherwise. */
export const DEFAULT_OPERATOR_RULES: SimRuleSetInput = { rules: [], default: 'manual' };

/** The `--sim RULES.json` file: customer rules and, optionally, operator rules. */
export const SimRulesFileSchema = z
  .object({
    customers: SimRuleSetSchema.default({ rules: [], default: 'answered' }),
    operators: SimRuleSetSchema.optional(),
  })
  .strict();
export type SimRulesFile = z.output<typeof SimRulesFileSchema>;

export class SimRulesError extends Error {
  override readonly name = 'SimRulesError';
  constructor(
    readonly issues: z.core.$ZodIssue[],
    label: string,
  ) {
    super(`invalid ${label}:\n${issues.map((i) => `  - ${formatPath(i.path)}: ${i.message}`).join('\n')}`);
  }
}

const formatPath = (path: PropertyKey[]): string =>
  path.length === 0
    ? '(root)'
    : path
        .map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`))
        .join('')
        .replace(/^\./, '');

function parseWith<S extends z.ZodType>(schema: S, input: unknown, label: string): z.output<S> {
  const result = schema.safeParse(input);
  if (!result.success) throw new SimRulesError(result.error.issues, label);
  return result.data;
}

export const parseRuleSet = (input: unknown, label = 'simulator rules'): SimRuleSet => parseWith(SimRuleSetSchema, input, label);

/** Maps a rules file straight onto the simulator's `rules` / `operatorRules` options. */
export function parseSimRulesFile(input: unknown): { rules: SimRuleSet; operatorRules?: SimRuleSet } {
  const file = parseWith(SimRulesFileSchema, input, 'simulator rules file');
  return file.operators ? { rules: file.customers, operatorRules: file.operators } : { rules: file.customers };
}

/** What a call will do, decided once at dial time. */
export interface RuleDecision {
  outcome: RuleOutcome;
  afterMs: number;
  talkMs?: number;
  /** Index of the matching rule; undefined when the default applied. */
  ruleIndex?: number;
}

/** Rule set with patterns compiled once. */
export class CompiledRuleSet {
  readonly #rules: Array<{ rule: SimRule; matches: Matcher }>;
  readonly #default: RuleOutcome;

  constructor(set: SimRuleSet) {
    this.#rules = set.rules.map((rule) => ({ rule, matches: compilePattern(rule.match) }));
    this.#default = set.default;
  }

  /** `attempt` is 1-based: the nth call to this destination picks the nth sequence entry. */
  decide(to: string, attempt: number): RuleDecision {
    const ruleIndex = this.#rules.findIndex(({ matches }) => matches(to));
    const found = this.#rules[ruleIndex];
    if (!found) return { outcome: this.#default, afterMs: DEFAULT_AFTER_MS };
    const { rule } = found;
    const outcome = rule.sequence ? (rule.sequence[Math.min(attempt, rule.sequence.length) - 1] as CallOutcome) : (rule.outcome as RuleOutcome);
    const decision: RuleDecision = { outcome, afterMs: rule.afterMs, ruleIndex };
    if (rule.talkMs !== undefined) decision.talkMs = rule.talkMs;
    return decision;
  }
}
