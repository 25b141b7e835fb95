import type { z } from 'zod';
import type { Effect, EffectKind } from '../effects.ts';
import type { Json } from '../json.ts';
import { paramsHinted } from './params-walk.ts';

export type { ExpressionRef } from './params-walk.ts';

/** What a node sees while it runs: the variables and a way to evaluate expressions. */
export interface NodeContext {
  readonly vars: Readonly<Record<string, Json>>;
  readonly now: number;
  evaluate(logic: Json | undefined): Json;
  /** Sets a variable; the change is recorded in the step's trace. */
  set(name: string, value: Json): void;
}

/** What running a node decides: the outcome to follow. */
export interface NodeOutcome {
  outcome: string;
}

export interface EndOutcome {
  end: { status: 'completed' | 'failed'; result?: Json; reason?: string };
}

export const NODE_CATEGORIES = ['flow', 'data', 'telephony', 'operator', 'queue'] as const;
export type NodeCategory = (typeof NODE_CATEGORIES)[number];

/**
 * How a node's outcomes follow from its params, for tools that cannot call
 * `outcomes()` (the catalogue): each rule applies when its param is set, and
 * gives the names found at `namesFrom` (e.g. `cases[].name`), in order, then `outcomes`.
 */
export interface OutcomesFromParams {
  description: string;
  rules: { when: string; namesFrom?: string; outcomes: string[] }[];
}

interface NodeDefinitionBase<P, T extends string = string> {
  type: T;
  title: string;
  description: string;
  category: NodeCategory;
  /** An icon name from https://tabler.io/icons, for the editor's palette. */
  icon: string;
  /** The node may be written without `params` (every param is optional). */
  paramsOptional?: boolean;
  /** The outcome taken when the params cannot be evaluated; without one the execution fails. */
  errorOutcome?: string;
  /** The params; fields that hold expressions use `Expression` (found by its tag), and carry UI hints (format/ui.ts). */
  params: z.ZodType<P>;
  /** The outcome names, i.e. the edge `sourceHandle`s this node may have. */
  outcomes(params: P): string[];
  /** Set when `outcomes` depends on the params; otherwise the catalogue lists `outcomes` of empty params. */
  outcomesFromParams?: OutcomesFromParams;
  /** Variables this node writes, so expressions reading them are not "undeclared". */
  writes(params: P): string[];
  /** The ids of the scenarios this node refers to. By default the values of its params hinted `scenarioRef`. */
  references(params: P): string[];
}

export interface PureNodeDefinition<P, T extends string = string> extends NodeDefinitionBase<P, T> {
  kind: 'pure';
  run(params: P, ctx: NodeContext): NodeOutcome | EndOutcome;
}

/** An effect of a kind the engine does not define: plain data the runtime's handler for that kind understands. */
export type CustomEffect<K extends string = string> = { kind: K } & { [field: string]: Json };

/** The effect a node of kind `K` asks for: a built-in effect's shape, or a custom one. */
export type EffectOf<K extends string> = K extends EffectKind ? Extract<Effect, { kind: K }> : CustomEffect<K>;

export interface EffectNodeDefinition<P, K extends string = string, R = unknown, T extends string = string> extends NodeDefinitionBase<P, T> {
  kind: 'effect';
  effectKind: K;
  /** The shape of the effect's result: `step()` refuses a result that does not fit (built-in kinds: `EffectResults[kind]`). */
  result: z.ZodType<R>;
  effect(params: P, ctx: NodeContext): EffectOf<K>;
  resume(params: P, result: R, ctx: NodeContext): NodeOutcome;
}

// biome-ignore lint/suspicious/noExplicitAny: a definition of any node type; each keeps its own params type where it is written
export type NodeDefinition<P = any> = PureNodeDefinition<P> | EffectNodeDefinition<P, string, any>;

type Optional<D, K extends keyof D> = Omit<D, K> & Partial<Pick<D, K>>;

/** The scenario ids in fields hinted `scenarioRef`: what `references` is unless a definition says otherwise. */
const hintedReferences =
  <P>(params: z.ZodType<P>) =>
  (p: P): string[] =>
    paramsHinted(params, p, 'scenarioRef')
      .map((f) => f.value)
      .filter((v): v is string => typeof v === 'string');

/** Helpers that keep each definition's param type precise and fill in what is derived. */
export const definePureNode = <P, const T extends string, const O extends boolean = false>(
  def: Optional<Omit<PureNodeDefinition<P, T>, 'kind'>, 'references'> & { paramsOptional?: O },
): PureNodeDefinition<P, T> & { paramsOptional?: O } => ({ kind: 'pure', references: hintedReferences(def.params), ...def });

export const defineEffectNode = <P, const K extends string, R, const T extends string>(
  def: Optional<Omit<EffectNodeDefinition<P, K, R, T>, 'kind'>, 'references'>,
): EffectNodeDefinition<P, K, R, T> => ({ kind: 'effect', references: hintedReferences(def.params), ...def });

export const into = (name: string | undefined): string[] => (name ? [name] : []);
