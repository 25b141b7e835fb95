/**
 * Large but valid scenarios for the editor bench: a long chain of
 * `setVariables` nodes with a `branch` every fifth node whose `false` side
 * ends early, laid out in columns the way a person would place them.
 *
 *   start → set → set → set → set → branch ─true→ set → …  → end
 *                                        └false→ end
 */
import { SCENARIO_FORMAT } from '@tellflow/engine';

const ROWS = 25;
const ROW_HEIGHT = 140;
const COLUMN_WIDTH = 620;

export interface BenchScenario {
  format: string;
  id: string;
  name: string;
  kind: 'service';
  variables: { name: string; type: 'number'; default: number }[];
  nodes: { id: string; type: string; position: { x: number; y: number }; params?: unknown; label?: string }[];
  edges: { source: string; sourceHandle: string; target: string }[];
}

/** A scenario of exactly `size` nodes (size ≥ 3). */
export function benchScenario(size: number): BenchScenario {
  const nodes: BenchScenario['nodes'] = [];
  const edges: BenchScenario['edges'] = [];
  let slot = 0;
  const place = (dx = 0) => {
    const column = Math.floor(slot / ROWS);
    return { x: column * COLUMN_WIDTH + dx, y: (slot % ROWS) * ROW_HEIGHT };
  };
  nodes.push({ id: 'start', type: 'start', position: place() });
  slot++;
  let previous = { source: 'start', sourceHandle: 'next' };
  const link = (target: string, from = previous) => edges.push({ ...from, target });
  // Leave room for the final end node.
  while (nodes.length < size - 1) {
    const n = nodes.length;
    if (n % 5 === 4 && nodes.length < size - 2) {
      const id = `check${n}`;
      nodes.push({ id, type: 'branch', label: `Under the limit? (${n})`, position: place(), params: { condition: { '<': [{ var: 'i' }, 1_000_000] } } });
      link(id);
      const stop = `stop${n}`;
      nodes.push({ id: stop, type: 'end', position: place(290), params: { result: 'limit', status: 'failed', reason: 'over the limit' } });
      link(stop, { source: id, sourceHandle: 'false' });
      previous = { source: id, sourceHandle: 'true' };
    } else {
      const id = `set${n}`;
      nodes.push({
        id,
        type: 'setVariables',
        label: `Count step ${n}`,
        position: place(),
        params: { assign: [{ name: 'i', value: { '+': [{ var: 'i' }, 1] } }] },
      });
      link(id);
      previous = { source: id, sourceHandle: 'next' };
    }
    slot++;
  }
  nodes.push({ id: 'end', type: 'end', position: place(), params: { result: { var: 'i' } } });
  link('end');
  return {
    format: SCENARIO_FORMAT,
    id: `bench-editor-${size}`,
    name: `Editor bench, ${size} nodes`,
    kind: 'service',
    variables: [{ name: 'i', type: 'number', default: 0 }],
    nodes,
    edges,
  };
}
