/** Scenario files for the import/export/run tests. */

/** A scenario file's text from nodes and `source:outcome>target` edges. */
export function flow(id: string, nodes: Record<string, unknown>[], edges: string[], extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    format: 'tellflow.scenario/v1',
    id,
    name: id,
    kind: 'service',
    nodes,
    edges: edges.map((e) => {
      const [from = '', target = ''] = e.split('>');
      const [source, sourceHandle] = from.split(':');
      return { source, sourceHandle, target };
    }),
    ...extra,
  });
}

/** Starts `child`, which doubles its input after a minute. */
export const parentText = flow(
  'parent',
  [
    { id: 'start', type: 'start' },
    { id: 'kid', type: 'runScenario', params: { scenario: 'child', inputs: { n: 21 }, into: 'answer' } },
    { id: 'end', type: 'end', params: { result: { var: 'answer' } } },
  ],
  ['start:next>kid', 'kid:done>end'],
);

export const childText = flow(
  'child',
  [
    { id: 'start', type: 'start', params: { inputs: [{ name: 'n' }] } },
    { id: 'pause', type: 'wait', params: { seconds: 60 } },
    { id: 'end', type: 'end', params: { result: { '*': [{ var: 'n' }, 2] } } },
  ],
  ['start:next>pause', 'pause:next>end'],
  { kind: 'sub' },
);
