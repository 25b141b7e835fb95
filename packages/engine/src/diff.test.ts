import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { describeDiff, diffScenarios } from './diff.ts';
import type { Scenario, ScenarioNode } from './format/scenario.ts';
import { scenario } from './test-helpers.ts';

const bundled = (name: string) => JSON.parse(readFileSync(new URL(`../../../scenarios/${name}.json`, import.meta.url), 'utf8')) as Scenario;
const copy = <T>(x: T): T => structuredClone(x);
const node = (s: Scenario, id: string) => s.nodes.find((n) => n.id === id)! as ScenarioNode & { params: Record<string, unknown> };

describe('diffScenarios', () => {
  it('finds nothing between a scenario and its copy', () => {
    const d = diffScenarios(bundled('dialog'), copy(bundled('dialog')));
    expect(d).toEqual({ same: true, scenario: [], nodes: [], edges: [], layout: { moved: [], meta: false } });
    expect(describeDiff(d)).toEqual([]);
  });

  it('reports changed fields of a node by path, added and removed nodes and edges', () => {
    const before = bundled('operator-call');
    const after = copy(before);
    node(after, 'ring').params.timeoutSec = 45;
    after.nodes = after.nodes.filter((n) => n.id !== 'missing');
    after.edges = after.edges.filter((e) => e.target !== 'missing');
    after.nodes.push({ id: 'log', type: 'end', position: { x: 0, y: 0 }, params: { result: 'logged' } } as ScenarioNode);
    after.edges.push({ source: 'serve', sourceHandle: 'empty', target: 'log' });

    const d = diffScenarios(before, after);
    expect(d.same).toBe(false);
    expect(d.nodes).toEqual([
      { id: 'ring', type: 'callOperator', change: 'changed', fields: [{ path: 'params.timeoutSec', before: 30, after: 45 }] },
      { id: 'missing', type: 'end', change: 'removed' },
      { id: 'log', type: 'end', change: 'added' },
    ]);
    expect(d.edges).toEqual(
      expect.arrayContaining([
        { change: 'removed', source: 'serve', sourceHandle: 'empty', target: 'missing' },
        { change: 'added', source: 'serve', sourceHandle: 'empty', target: 'log' },
      ]),
    );
    expect(describeDiff(d)).toEqual(
      expect.arrayContaining(['~ node ring (callOperator) params.timeoutSec: 30 → 45', '- node missing (end)', '+ node log (end)', '+ edge serve:empty → log']),
    );
  });

  it('keeps layout apart: moving nodes or changing the editor metadata is not a change of behaviour', () => {
    const before = bundled('dialog');
    const after = copy(before);
    after.nodes[0]!.position = { x: 999, y: 999 };
    after.meta = { viewport: { x: 1, y: 2, zoom: 1.5 } };
    const d = diffScenarios(before, after);
    expect(d).toMatchObject({ same: false, scenario: [], nodes: [], edges: [], layout: { moved: [after.nodes[0]!.id], meta: true } });
  });

  it('matches named list items (form fields, start inputs, variables) by name, and reports a new order', () => {
    const fields = [
      { name: 'minutes', label: 'Call back in (minutes)', type: 'number' },
      { name: 'comment', label: 'Comment', type: 'multiline' },
    ];
    const form = (fs: unknown[]) => ({ id: 'form', type: 'showForm', params: { title: 'Form 1', fields: fs } }) as unknown as ScenarioNode;
    const before = scenario([{ id: 'start', type: 'start' } as ScenarioNode, form(fields)]);
    const after = scenario([
      { id: 'start', type: 'start' } as ScenarioNode,
      form([{ name: 'date', label: 'Date', type: 'date' }, { ...fields[0], label: 'Minutes' }, fields[1]]),
    ]);
    expect(diffScenarios(before, after).nodes[0]!.fields).toEqual([
      { path: 'params.fields[minutes].label', before: 'Call back in (minutes)', after: 'Minutes' },
      { path: 'params.fields[date]', after: { name: 'date', label: 'Date', type: 'date' } },
    ]);

    const swapped = scenario([{ id: 'start', type: 'start' } as ScenarioNode, form([fields[1], fields[0]])]);
    expect(diffScenarios(before, swapped).nodes[0]!.fields).toEqual([
      { path: 'params.fields (order)', before: ['minutes', 'comment'], after: ['comment', 'minutes'] },
    ]);
  });

  it("reports the scenario's own fields and a node whose type changed", () => {
    const before = scenario([{ id: 'start', type: 'start' } as ScenarioNode, { id: 'x', type: 'end' } as ScenarioNode], [], { description: 'old' });
    const after = scenario([{ id: 'start', type: 'start' } as ScenarioNode, { id: 'x', type: 'wait', params: { seconds: 5 } } as ScenarioNode], [], {
      name: 'Renamed',
      variables: [{ name: 'n', type: 'number' }],
    });
    const d = diffScenarios(before, after);
    expect(d.scenario).toEqual([
      { path: 'name', before: 'Test scenario', after: 'Renamed' },
      { path: 'description', before: 'old' },
      { path: 'variables', after: [{ name: 'n', type: 'number' }] },
    ]);
    expect(d.nodes).toEqual([
      {
        id: 'x',
        type: 'wait',
        change: 'changed',
        fields: [
          { path: 'type', before: 'end', after: 'wait' },
          { path: 'params', after: { seconds: 5 } },
        ],
      },
    ]);
    expect(describeDiff(d)).toContain('scenario description: removed (was "old")');
  });
});
