/**
 * Answers for the forms of a simulated run (`tellflow run --answers`, a test
 * run's `answers`, a test case's): keyed by "scenario:node", by node id or by
 * form title (first match wins). A value is the form's values, given every
 * time the form comes up, or a list of values for its successive visits
 * (once the list is used up, the form has no answer). `null` (alone or in a
 * list) means "no answer on purpose": the form takes its timeout outcome.
 */
import { isJsonObject, type Json } from '@tellflow/engine';
import type { PendingForm } from '../sql/read-executions.ts';

/** What a form gets: its values, `timeout` (answered with null: let it time out), or nothing given. */
export type Answer = { values: Record<string, Json> } | 'timeout' | undefined;

export class FormAnswers {
  private readonly visits = new Map<string, number>();
  private readonly used = new Set<string>();

  private constructor(private readonly answers: Record<string, Json>) {}

  /** The answers, or a message saying what is wrong with them. */
  static from(value: unknown): FormAnswers | string {
    if (!isJsonObject(value)) return 'must be a JSON object of form node ids (or titles) to values';
    const one = (a: unknown) => a === null || isJsonObject(a);
    for (const [key, answer] of Object.entries(value)) {
      if (!(one(answer) || (Array.isArray(answer) && answer.every(one))))
        return `the answer for "${key}" must be an object of field values (null: no answer, the form times out), or a list of them`;
    }
    return new FormAnswers(value);
  }

  take(form: Pick<PendingForm, 'scenarioId' | 'nodeId' | 'form'>): Answer {
    const key = [`${form.scenarioId}:${form.nodeId}`, form.nodeId, form.form.title].find((k) => Object.hasOwn(this.answers, k));
    if (key === undefined) return undefined;
    this.used.add(key);
    let answer = this.answers[key];
    if (Array.isArray(answer)) {
      const visit = this.visits.get(key) ?? 0;
      this.visits.set(key, visit + 1);
      answer = answer[visit];
    }
    if (answer === undefined) return undefined;
    return answer === null ? 'timeout' : { values: answer as Record<string, Json> };
  }

  /** Keys that no form used: probably a typo. */
  unused(): string[] {
    return Object.keys(this.answers).filter((k) => !this.used.has(k));
  }
}
