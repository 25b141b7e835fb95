/**
 * The benchmark scenarios: a chain of K effect nodes, each followed by a
 * pure `setVariables` node (pure nodes run inside the step that reaches
 * them, so they ride along in the same commit).
 *
 *   timer:  start → (wait 0 s → set i = i + 1) × K → end
 *   sql:    start → (sql `select :i + 1 as n` → set i = x.n) × K → end
 *
 * One execution commits K + 1 durable steps: the start (start → first
 * effect) and one per effect result (result → pure node → next effect / end).
 */
import { SCENARIO_FORMAT, type Json } from '@tellflow/engine';

export type Variant = 'timer' | 'sql';

export const VARIANT_TEXT: Record<Variant, string> = {
  timer: 'zero-second `wait` wake-up: resume on the due timer, commit the result + the next step (+ a pure node)',
  sql: "`sql` node: run its query (under a savepoint) and commit its result + the next step in a transaction shared with other executions' sql steps (+ a pure node)",
};

export function chainScenario(variant: Variant, k: number): { id: string; doc: Record<string, Json> } {
  const id = `bench-${variant}-${k}`;
  const nodes: Json[] = [{ id: 'start', type: 'start' }];
  const edges: Json[] = [];
  let prev = 'start:next';
  const link = (target: string) => {
    const [source, sourceHandle] = prev.split(':');
    edges.push({ source: source!, sourceHandle: sourceHandle!, target });
  };
  for (let i = 0; i < k; i++) {
    const effect = `e${i}`;
    const pure = `p${i}`;
    if (variant === 'timer') {
      nodes.push({ id: effect, type: 'wait', params: { seconds: 0 } });
      nodes.push({ id: pure, type: 'setVariables', params: { assign: [{ name: 'i', value: { '+': [{ var: 'i' }, 1] } }] } });
      link(effect);
      prev = `${effect}:next`;
    } else {
      nodes.push({ id: effect, type: 'sql', params: { query: 'select :i::int + 1 as n', params: { i: { var: 'i' } }, result: 'first', into: 'x' } });
      nodes.push({ id: pure, type: 'setVariables', params: { assign: [{ name: 'i', value: { var: 'x.n' } }] } });
      link(effect);
      prev = `${effect}:ok`;
    }
    link(pure);
    prev = `${pure}:next`;
  }
  nodes.push({ id: 'end', type: 'end', params: { result: { var: 'i' } } });
  link('end');
  return {
    id,
    doc: { format: SCENARIO_FORMAT, id, name: id, kind: 'service', variables: [{ name: 'i', default: 0 }, { name: 'x' }], nodes, edges },
  };
}
