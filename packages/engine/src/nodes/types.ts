import type { z } from 'zod';
import type { Effect, EffectKind, EffectResult } from '../effects.ts';
import type { Json } from '../json.ts';

/** Where in a node's params an expression sits, for validation messages. */
export interface ExpressionRef {
  path: (string | number)[];
  logic: Json;
}

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

interface NodeDefinitionBase<P, T extends string = string> {
  type: T;
  title: string;
  description: string;
  category: 'flow' | 'data' | 'telephony' | 'operator' | 'queue';
  /** The outcome taken when the params cannot be evaluated; without one the execution fails. */
  errorOutcome?: string;
  params: z.ZodType<P>;
  /** The outcome names, i.e. the edge `sourceHandle`s this node may have. */
  outcomes(params: P): string[];
  /** Every json-logic expression in the params, for static checks. */
  expressions(params: P): ExpressionRef[];
  /** Variables this node writes, so expressions reading them are not "undeclared". */
  writes(params: P): string[];
}

export interface PureNodeDefinition<P, T extends string = string> extends NodeDefinitionBase<P, T> {
  kind: 'pure';
  run(params: P, ctx: NodeContext): NodeOutcome | EndOutcome;
}

export interface EffectNodeDefinition<P, K extends EffectKind, T extends string = string> extends NodeDefinitionBase<P, T> {
  kind: 'effect';
  effectKind: K;
  effect(params: P, ctx: NodeContext): Extract<Effect, { kind: K }>;
  resume(params: P, result: EffectResult<K>, ctx: NodeContext): NodeOutcome;
}

// biome-ignore lint/suspicious/noExplicitAny: a definition of any node type; each keeps its own params type where it is written
export type NodeDefinition<P = any> = PureNodeDefinition<P> | EffectNodeDefinition<P, EffectKind>;

/** Identity helpers that keep each definition's param type precise. */
export const definePureNode = <P, const T extends string>(def: Omit<PureNodeDefinition<P, T>, 'kind'>): PureNodeDefinition<P, T> => ({
  kind: 'pure',
  ...def,
});
export const defineEffectNode = <P, K extends EffectKind, const T extends string>(
  def: Omit<EffectNodeDefinition<P, K, T>, 'kind'>,
): EffectNodeDefinition<P, K, T> => ({ kind: 'effect', ...def });

export const into = (name: string | undefined): string[] => (name ? [name] : []);
export const exprs = (entries: [path: (string | number)[], logic: Json | undefined][]): ExpressionRef[] =>
  entries.filter((e): e is [(string | number)[], Json] => e[1] !== undefined).map(([path, logic]) => ({ path, logic }));
