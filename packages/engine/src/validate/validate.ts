/**
 * Scenario validation: every problem as data naming the node and field.
 *
 * Parsing happens in stages so that messages stay precise: first the
 * document's shell, then each node against its own type's schema (a
 * discriminated union would only say "invalid input" for a bad node), then
 * the graph rules, then the warnings that need the whole picture.
 */
import { z } from 'zod';
import { Edge, Scenario, ScenarioKind, SCENARIO_FORMAT, ScenarioTest, VariableDeclaration, ScenarioNode } from '../format/scenario.ts';
import { NodeId, ScenarioId } from '../format/common.ts';
import { JsonValue, isJsonObject } from '../json.ts';
import { inspect } from '../logic.ts';
import { paramsExpressions } from '../nodes/params-walk.ts';
import { nodeDefinition, nodeDefinitions } from '../nodes/registry.ts';
import { BUILTIN_VARIABLES } from '../interpreter/state.ts';
import { formatPath, hasErrors, type Issue } from './issue.ts';

export interface ValidationResult {
  ok: boolean;
  /** The typed scenario, when there are no errors (warnings allowed). */
  scenario?: Scenario;
  issues: Issue[];
}

const Shell = z.strictObject({
  $schema: z.string().optional(),
  format: z.literal(SCENARIO_FORMAT, { error: `must be "${SCENARIO_FORMAT}"` }),
  id: ScenarioId,
  name: z.string().min(1, 'must not be empty').max(200),
  kind: ScenarioKind,
  description: z.string().optional(),
  variables: z.array(VariableDeclaration).optional(),
  // Nodes are checked one by one below, against their own type's schema.
  nodes: z.array(z.unknown()).min(1, 'must have at least a start node'),
  edges: z.array(Edge),
  meta: z.record(z.string(), JsonValue).optional(),
  tests: z.array(ScenarioTest).optional(),
});

function zodIssues(error: z.ZodError, prefix: (string | number)[], nodeId?: string): Issue[] {
  return error.issues.map((i) => ({
    severity: 'error' as const,
    ...(nodeId !== undefined ? { nodeId } : {}),
    path: formatPath([...prefix, ...i.path]),
    message: i.message,
  }));
}

export function validateScenario(doc: unknown): ValidationResult {
  try {
    return validateDocument(doc);
  } catch (e) {
    // The schemas and the expression checks recurse per nesting level: a pathologically deep document overflows the stack.
    if (e instanceof RangeError) return { ok: false, issues: [{ severity: 'error', path: '', message: 'the document is nested too deeply to validate' }] };
    throw e;
  }
}

function validateDocument(doc: unknown): ValidationResult {
  if (!isJsonObject(doc)) {
    return { ok: false, issues: [{ severity: 'error', path: '', message: `a scenario must be a JSON object, not ${describe(doc)}` }] };
  }
  const issues: Issue[] = [];
  const shell = Shell.safeParse(doc);
  if (!shell.success) {
    issues.push(...zodIssues(shell.error, []));
  }

  const rawNodes = Array.isArray(doc.nodes) ? doc.nodes : [];
  const nodes: ScenarioNode[] = [];
  const ids = new Map<string, number>();
  rawNodes.forEach((raw, index) => {
    const at = ['nodes', index];
    if (!isJsonObject(raw)) {
      issues.push({ severity: 'error', path: formatPath(at), message: `a node must be an object, not ${describe(raw)}` });
      return;
    }
    const id = typeof raw.id === 'string' ? raw.id : undefined;
    const nodeId = id !== undefined ? { nodeId: id } : {};
    const idCheck = NodeId.safeParse(raw.id);
    if (!idCheck.success) issues.push(...zodIssues(idCheck.error, [...at, 'id'], id));
    if (id !== undefined) {
      const first = ids.get(id);
      if (first !== undefined)
        issues.push({ severity: 'error', ...nodeId, path: formatPath([...at, 'id']), message: `duplicate node id "${id}" (also nodes[${first}])` });
      else ids.set(id, index);
    }
    if (typeof raw.type !== 'string') {
      issues.push({ severity: 'error', ...nodeId, path: formatPath([...at, 'type']), message: 'missing node type' });
      return;
    }
    if (!nodeDefinition(raw.type)) {
      issues.push({
        severity: 'error',
        ...nodeId,
        path: formatPath([...at, 'type']),
        message: `unknown node type "${raw.type}" (known: ${nodeDefinitions()
          .map((d) => d.type)
          .join(', ')})`,
      });
      return;
    }
    const parsed = ScenarioNode.safeParse(raw);
    if (parsed.success) nodes.push(parsed.data);
    else issues.push(...zodIssues(parsed.error, at, id).filter((i) => !i.path.endsWith('].id') || idCheck.success));
  });

  const starts = rawNodes.filter((n) => isJsonObject(n) && n.type === 'start');
  if (rawNodes.length > 0 && starts.length === 0) issues.push({ severity: 'error', path: 'nodes', message: 'no start node: a scenario needs exactly one' });
  if (starts.length > 1) {
    issues.push({
      severity: 'error',
      path: 'nodes',
      message: `${starts.length} start nodes (${starts.map((n) => `"${(n as { id?: unknown }).id}"`).join(', ')}): a scenario needs exactly one`,
    });
  }

  const edges = Array.isArray(doc.edges) ? doc.edges : [];
  issues.push(...checkEdges(edges, rawNodes, nodes));

  if (!hasErrors(issues)) {
    const full = Scenario.safeParse(doc);
    if (!full.success) issues.push(...zodIssues(full.error, []));
    else {
      issues.push(...semanticChecks(full.data));
      if (!hasErrors(issues)) return { ok: true, scenario: full.data, issues };
    }
  }
  return { ok: false, issues };
}

function checkEdges(edges: unknown[], rawNodes: unknown[], nodes: ScenarioNode[]): Issue[] {
  const issues: Issue[] = [];
  const known = new Set(
    rawNodes
      .filter(isJsonObject)
      .map((n) => n.id)
      .filter((id): id is string => typeof id === 'string'),
  );
  const typed = new Map(nodes.map((n) => [n.id, n]));
  const used = new Map<string, number>();
  edges.forEach((edge, index) => {
    if (!isJsonObject(edge)) return;
    const at = (field: string) => formatPath(['edges', index, field]);
    const { source, target, sourceHandle } = edge;
    const nodeId = typeof source === 'string' ? { nodeId: source } : {};
    if (typeof source === 'string' && !known.has(source))
      issues.push({ severity: 'error', ...nodeId, path: at('source'), message: `edge from missing node "${source}"` });
    if (typeof target === 'string' && !known.has(target))
      issues.push({ severity: 'error', ...nodeId, path: at('target'), message: `edge to missing node "${target}"` });
    const node = typeof source === 'string' ? typed.get(source) : undefined;
    if (!node || typeof sourceHandle !== 'string') return;
    const outcomes = outcomesOf(node);
    if (!outcomes.includes(sourceHandle)) {
      const list = outcomes.length ? `its outcomes are ${outcomes.map((o) => `"${o}"`).join(', ')}` : 'it has no outcomes';
      issues.push({
        severity: 'error',
        ...nodeId,
        path: at('sourceHandle'),
        message: `"${sourceHandle}" is not an outcome of ${node.type} node "${node.id}": ${list}`,
      });
      return;
    }
    const key = `${source}\u0000${sourceHandle}`;
    const first = used.get(key);
    if (first !== undefined)
      issues.push({
        severity: 'error',
        ...nodeId,
        path: formatPath(['edges', index]),
        message: `outcome "${sourceHandle}" of node "${source}" already has an edge (edges[${first}])`,
      });
    else used.set(key, index);
  });
  return issues;
}

export function outcomesOf(node: ScenarioNode): string[] {
  return nodeDefinition(node.type)!.outcomes(node.params ?? {});
}

/** Checks that need the whole typed scenario: expressions (errors) and likely mistakes (warnings). */
function semanticChecks(scenario: Scenario): Issue[] {
  const issues: Issue[] = [];
  const declared = new Set<string>([...BUILTIN_VARIABLES, ...(scenario.variables ?? []).map((v) => v.name)]);
  for (const node of scenario.nodes) for (const name of nodeDefinition(node.type)!.writes(node.params ?? {})) declared.add(name);

  scenario.nodes.forEach((node, index) => {
    const def = nodeDefinition(node.type)!;
    for (const ref of paramsExpressions(def.params, node.params ?? {})) {
      const path = ['nodes', index, 'params', ...ref.path];
      const { variables, problems } = inspect(ref.logic);
      for (const p of problems) issues.push({ severity: 'error', nodeId: node.id, path: formatPath([...path, ...p.path]), message: p.message });
      for (const name of variables) {
        if (!declared.has(name))
          issues.push({
            severity: 'warning',
            nodeId: node.id,
            path: formatPath(path),
            message: `reads variable "${name}", which is not declared and no node sets it`,
          });
      }
    }
  });

  const start = scenario.nodes.find((n) => n.type === 'start')!;
  const reachable = new Set([start.id]);
  const queue = [start.id];
  const next = new Map<string, string[]>();
  for (const e of scenario.edges) next.set(e.source, [...(next.get(e.source) ?? []), e.target]);
  while (queue.length)
    for (const t of next.get(queue.pop()!) ?? [])
      if (!reachable.has(t)) {
        reachable.add(t);
        queue.push(t);
      }
  scenario.nodes.forEach((node, index) => {
    if (!reachable.has(node.id))
      issues.push({ severity: 'warning', nodeId: node.id, path: formatPath(['nodes', index]), message: 'unreachable: no path leads here from the start node' });
  });
  issues.push(...checkTests(scenario, next));
  return issues;
}

/** Test cases: unique names; an expected path names nodes of the scenario, each following the one before along an edge. */
function checkTests(scenario: Scenario, next: ReadonlyMap<string, string[]>): Issue[] {
  const issues: Issue[] = [];
  const nodes = new Set(scenario.nodes.map((n) => n.id));
  const names = new Map<string, number>();
  (scenario.tests ?? []).forEach((test, index) => {
    const at = (...path: (string | number)[]) => formatPath(['tests', index, ...path]);
    const first = names.get(test.name);
    if (first !== undefined) issues.push({ severity: 'error', path: at('name'), message: `test "${test.name}": another test has this name (tests[${first}])` });
    else names.set(test.name, index);
    const path = test.expect.path ?? [];
    path.forEach((id, k) => {
      if (!nodes.has(id))
        issues.push({
          severity: 'error',
          path: at('expect', 'path', k),
          message: `test "${test.name}": the expected path names node "${id}", which is not in the scenario`,
        });
      else if (k > 0 && nodes.has(path[k - 1]!) && !(next.get(path[k - 1]!) ?? []).includes(id))
        issues.push({
          severity: 'warning',
          path: at('expect', 'path', k),
          message: `test "${test.name}": the expected path goes from "${path[k - 1]}" to "${id}", but no edge leads there`,
        });
    });
  });
  return issues;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}
