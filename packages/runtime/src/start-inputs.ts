/**
 * The one input check of everything that starts a scenario by hand or on a
 * schedule: start, retry, service tasks (when saved and at every period).
 * The checking itself is the engine's `checkInputs`; this module only words
 * its problems, as one sentence or as issues naming the field.
 */
import { checkInputs, type InputProblem, type Issue, type Json, type Scenario } from '@tellflow/engine';
import { RuntimeError } from './errors.ts';

const REQUIRED = 'is required';

/** The problems as one sentence ("missing required input "a"; invalid input "b" must be …"), or null when there are none. */
export function inputProblemsSentence(problems: readonly InputProblem[]): string | null {
  if (!problems.length) return null;
  const missing = problems.filter((p) => p.message === REQUIRED).map((p) => `"${p.input}"`);
  const wrong = problems.filter((p) => p.message !== REQUIRED).map((p) => `"${p.input}" ${p.message}`);
  return [missing.length ? `missing required input ${missing.join(', ')}` : '', wrong.length ? `invalid input ${wrong.join('; ')}` : '']
    .filter(Boolean)
    .join('; ');
}

/** Refuses (400) inputs the scenario's start node does not accept, as starting an execution does; `what` leads the message. */
export function mustAcceptInputs(scenario: Scenario, input: Record<string, Json>, what?: string): void {
  const problems = checkInputs(scenario, input);
  const sentence = inputProblemsSentence(problems);
  if (sentence) throw new RuntimeError(400, what ? `${what}: ${sentence}` : sentence, { problems });
}

/** The names of the inputs the scenario's start node declares. */
export function declaredInputs(scenario: Scenario): string[] {
  const start = scenario.nodes.find((n) => n.type === 'start');
  return (start?.type === 'start' ? (start.params?.inputs ?? []) : []).map((i) => i.name);
}

/** The problems as issues on `input.NAME`, e.g. `input.batch: required input of scenario "x" is missing`. */
export function inputIssues(scenario: Scenario, input: Record<string, Json>): Issue[] {
  return checkInputs(scenario, input).map((p) => ({
    severity: 'error' as const,
    path: `input.${p.input}`,
    message: p.message === REQUIRED ? `required input of scenario "${scenario.id}" is missing` : p.message,
  }));
}
