/**
 * What changed between two versions of a scenario, for review before
 * publishing: nodes added, removed and changed (field by field), edges added
 * and removed, and the scenario's own fields. Moving nodes around the canvas
 * is layout, reported apart so it never hides a real change. Pure.
 */
import type { Scenario } from './format/scenario.ts';
import type { Json } from './json.ts';

/** One field that differs; `before` or `after` is missing when the field was added or removed. */
export interface FieldChange {
  /** e.g. `params.query`, `params.inputs.operator`, `params.fields[callback].label`, `params.choices[2]` */
  path: string;
  before?: Json;
  after?: Json;
}

export interface NodeChange {
  id: string;
  type: string;
  change: 'added' | 'removed' | 'changed';
  /** For `changed`: the fields that differ (position aside). */
  fields?: FieldChange[];
}

export interface EdgeChange {
  change: 'added' | 'removed';
  source: string;
  sourceHandle: string;
  target: string;
}

export interface ScenarioDiff {
  /** No change at all, layout included. */
  same: boolean;
  /** Top-level fields: name, kind, description, variables (by name). */
  scenario: FieldChange[];
  nodes: NodeChange[];
  edges: EdgeChange[];
  /** Layout only: nodes present in both whose position changed, and whether the editor's `meta` changed. */
  layout: { moved: string[]; meta: boolean };
}

/** Fields that do not change what a scenario does. */
const LAYOUT_NODE_FIELDS = new Set(['position']);
const IGNORED_TOP_FIELDS = new Set(['$schema', 'meta', 'nodes', 'edges']);

export function diffScenarios(before: Scenario, after: Scenario): ScenarioDiff {
  const scenario: FieldChange[] = [];
  diffObjects(omit(before, IGNORED_TOP_FIELDS), omit(after, IGNORED_TOP_FIELDS), '', scenario);

  const nodes: NodeChange[] = [];
  const moved: string[] = [];
  const afterById = new Map(after.nodes.map((n) => [n.id, n]));
  const beforeIds = new Set(before.nodes.map((n) => n.id));
  for (const b of before.nodes) {
    const a = afterById.get(b.id);
    if (!a) {
      nodes.push({ id: b.id, type: b.type, change: 'removed' });
      continue;
    }
    const fields: FieldChange[] = [];
    diffObjects(omit(b, LAYOUT_NODE_FIELDS), omit(a, LAYOUT_NODE_FIELDS), '', fields);
    if (fields.length) nodes.push({ id: b.id, type: a.type, change: 'changed', fields });
    if (!equal(asJson(b.position), asJson(a.position))) moved.push(b.id);
  }
  for (const a of after.nodes) if (!beforeIds.has(a.id)) nodes.push({ id: a.id, type: a.type, change: 'added' });

  const key = (e: { source: string; sourceHandle: string; target: string }) => `${e.source}\u0000${e.sourceHandle}\u0000${e.target}`;
  const beforeEdges = new Set(before.edges.map(key));
  const afterEdges = new Set(after.edges.map(key));
  const edges: EdgeChange[] = [
    ...before.edges.filter((e) => !afterEdges.has(key(e))).map((e) => edgeChange('removed', e)),
    ...after.edges.filter((e) => !beforeEdges.has(key(e))).map((e) => edgeChange('added', e)),
  ];

  const meta = !equal(asJson(before.meta), asJson(after.meta));
  return {
    same: !scenario.length && !nodes.length && !edges.length && !moved.length && !meta,
    scenario,
    nodes,
    edges,
    layout: { moved, meta },
  };
}

/** One line per change, for a terminal or a commit message. */
export function describeDiff(d: ScenarioDiff): string[] {
  const lines: string[] = [];
  const field = (f: FieldChange) =>
    f.before === undefined
      ? `${f.path}: added ${show(f.after)}`
      : f.after === undefined
        ? `${f.path}: removed (was ${show(f.before)})`
        : `${f.path}: ${show(f.before)} → ${show(f.after)}`;
  for (const f of d.scenario) lines.push(`scenario ${field(f)}`);
  for (const n of d.nodes) {
    if (n.change !== 'changed') lines.push(`${n.change === 'added' ? '+' : '-'} node ${n.id} (${n.type})`);
    else for (const f of n.fields!) lines.push(`~ node ${n.id} (${n.type}) ${field(f)}`);
  }
  for (const e of d.edges) lines.push(`${e.change === 'added' ? '+' : '-'} edge ${e.source}:${e.sourceHandle} → ${e.target}`);
  if (d.layout.moved.length) lines.push(`layout: ${d.layout.moved.length} node(s) moved (${d.layout.moved.join(', ')})`);
  if (d.layout.meta) lines.push('layout: editor metadata changed');
  return lines;
}

const edgeChange = (change: EdgeChange['change'], e: { source: string; sourceHandle: string; target: string }): EdgeChange => ({
  change,
  source: e.source,
  sourceHandle: e.sourceHandle,
  target: e.target,
});

function show(v: Json | undefined): string {
  const text = JSON.stringify(v) ?? 'undefined';
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}

function omit(o: object, without: Set<string>): Record<string, Json> {
  const out: Record<string, Json> = {};
  for (const [k, v] of Object.entries(o)) if (!without.has(k) && v !== undefined) out[k] = v as Json;
  return out;
}

const asJson = (v: unknown): Json => (v === undefined ? null : (v as Json));

function isObject(v: Json | undefined): v is Record<string, Json> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function equal(a: Json | undefined, b: Json | undefined): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => equal(x, b[i]));
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a).filter((k) => a[k] !== undefined);
    const kb = Object.keys(b).filter((k) => b[k] !== undefined);
    return ka.length === kb.length && ka.every((k) => equal(a[k], b[k]));
  }
  return false;
}

const join = (path: string, key: string) => (path ? `${path}.${key}` : key);

function diffValues(before: Json | undefined, after: Json | undefined, path: string, out: FieldChange[]): void {
  if (equal(before, after)) return;
  if (isObject(before) && isObject(after)) {
    diffObjects(before, after, path, out);
    return;
  }
  if (Array.isArray(before) && Array.isArray(after)) {
    diffArrays(before, after, path, out);
    return;
  }
  out.push({ path, ...(before !== undefined ? { before } : {}), ...(after !== undefined ? { after } : {}) });
}

function diffObjects(before: Record<string, Json>, after: Record<string, Json>, path: string, out: FieldChange[]): void {
  for (const k of new Set([...Object.keys(before), ...Object.keys(after)])) diffValues(before[k], after[k], join(path, k), out);
}

/**
 * Lists of named things (start inputs, form fields, variables) are matched by
 * name, so inserting one does not show every later one as changed; other
 * lists by position.
 */
function diffArrays(before: Json[], after: Json[], path: string, out: FieldChange[]): void {
  const names = (xs: Json[]) => {
    const ns = xs.map((x) => (isObject(x) && typeof x.name === 'string' ? x.name : null));
    return ns.every((n): n is string => n !== null) && new Set(ns).size === ns.length ? ns : null;
  };
  const nb = names(before);
  const na = names(after);
  if (nb && na) {
    const byName = new Map(after.map((x, i) => [na[i]!, x]));
    const beforeNames = new Set(nb);
    for (const [i, x] of before.entries()) diffValues(x, byName.get(nb[i]!), `${path}[${nb[i]}]`, out);
    after.forEach((x, i) => {
      if (!beforeNames.has(na[i]!)) diffValues(undefined, x, `${path}[${na[i]}]`, out);
    });
    // The order of fields on a form or inputs on a start node shows: report a reordering too.
    const kept = (xs: string[], other: string[]) => xs.filter((n) => other.includes(n)).join('\u0000');
    if (kept(nb, na) !== kept(na, nb)) out.push({ path: `${path} (order)`, before: nb, after: na });
    return;
  }
  for (let i = 0; i < Math.max(before.length, after.length); i++) diffValues(before[i], after[i], `${path}[${i}]`, out);
}
