/**
 * Every node type, in one place. Adding a type: write its definition file
 * (params schema with `Expression`s and UI hints, outcomes, pure logic or
 * effect + result schema + resume) and list it here, or register it at run
 * time with `registerNodeType`. The file format (`ScenarioNode`, `Scenario`),
 * the JSON Schema, validation, the interpreter and the node catalogue all
 * read this registry.
 */
import { branch } from './branch.ts';
import { callOperator, dialCustomer } from './calls.ts';
import { end } from './end.ts';
import { queue } from './queue.ts';
import { runScenario } from './run-scenario.ts';
import { setStatus } from './set-status.ts';
import { setVariables } from './set-variables.ts';
import { showForm } from './show-form.ts';
import { sql } from './sql.ts';
import { start } from './start.ts';
import type { NodeDefinition } from './types.ts';
import { wait } from './wait.ts';

/** The built-in node types; the static type `ScenarioNode` is the union of theirs. */
export const NODE_DEFINITIONS = [start, sql, callOperator, dialCustomer, showForm, branch, setVariables, setStatus, wait, queue, runScenario, end] as const;

export type NodeType = (typeof NODE_DEFINITIONS)[number]['type'];

/** The built-in type names. */
export const NODE_TYPES: readonly string[] = NODE_DEFINITIONS.map((d) => d.type);

const builtIn = new Set(NODE_TYPES);
const byType = new Map<string, NodeDefinition>(NODE_DEFINITIONS.map((d) => [d.type, d as NodeDefinition]));
let version = 0;

export function nodeDefinition(type: string): NodeDefinition | undefined {
  return byType.get(type);
}

/** Every node type known now: the built-in ones, then the registered ones in registration order. */
export function nodeDefinitions(): NodeDefinition[] {
  return [...byType.values()];
}

const TYPE_NAME = /^[A-Za-z][A-Za-z0-9_]*$/;

/** Adds a node type; from then on the format, validation, the interpreter and the catalogue know it. */
export function registerNodeType(def: NodeDefinition): void {
  if (typeof def.type !== 'string' || !TYPE_NAME.test(def.type)) {
    throw new Error(`cannot register node type ${JSON.stringify(def.type)}: a type name starts with a letter and has only letters, digits and "_"`);
  }
  if (byType.has(def.type)) throw new Error(`cannot register node type "${def.type}": a node type of that name is already registered`);
  const missing = (
    ['params', 'outcomes', 'writes', 'references', ...(def.kind === 'effect' ? (['result', 'effect', 'resume'] as const) : (['run'] as const))] as const
  ).filter((key) => (def as unknown as Record<string, unknown>)[key] === undefined);
  if (missing.length)
    throw new Error(`cannot register node type "${def.type}": its definition has no ${missing.join(', ')} (use definePureNode or defineEffectNode)`);
  if (def.kind === 'effect') {
    // One kind, one result shape: the runtime's handler for the kind produces the results.
    const other = [...byType.values()].find((d) => d.kind === 'effect' && d.effectKind === def.effectKind && d.result !== def.result);
    if (other) {
      throw new Error(
        `cannot register node type "${def.type}": effect kind "${def.effectKind}" already has another result schema (node type "${other.type}"); use the same one`,
      );
    }
  }
  byType.set(def.type, def);
  version++;
}

/** Removes a registered node type (for tests); built-in types cannot be removed. Returns whether it was registered. */
export function unregisterNodeType(type: string): boolean {
  if (builtIn.has(type)) throw new Error(`cannot unregister node type "${type}": it is built in`);
  const had = byType.delete(type);
  if (had) version++;
  return had;
}

/**
 * `build()`'s value, built again only after the registry changed: for what is
 * derived from the whole list (the node union, the JSON Schema, the catalogue).
 */
export function derivedFromRegistry<T>(build: () => T): () => T {
  let builtAt = -1;
  let value: T;
  return () => {
    if (builtAt !== version) {
      value = build();
      builtAt = version;
    }
    return value;
  };
}
