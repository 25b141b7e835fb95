/** Shared setup for runtime tests: a fresh database of each kind, a manual clock, the simulator. */
import { ManualClock } from '@tellflow/clock';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { createTestDatabase, postgresAvailable, truncateAll, type DatabaseKind, type TestDatabase } from '@tellflow/db/testing';
import { SCENARIO_FORMAT, type Json } from '@tellflow/engine';
import { TelephonySimulator, type SimRuleSetInput } from '@tellflow/telephony';
import { Runtime } from './runtime.ts';

export const T0 = Date.UTC(2026, 10, 22, 9, 0, 0);

export interface Harness {
  t: TestDatabase;
  clock: ManualClock;
  sim: TelephonySimulator;
  runtime: Runtime;
  /** Imports and publishes a scenario document. */
  publish(doc: Record<string, unknown>): Promise<void>;
  /** Advances the clock and lets the runtime do everything that became due. */
  advance(ms: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * One migrated database per describe block (creating one is the slow part),
 * emptied before each test; a fresh clock, simulator and runtime per test.
 * Returns a getter for the current test's harness and whether to skip.
 */
export function useHarness(kind: DatabaseKind, rules: SimRuleSetInput = {}, operatorRules?: SimRuleSetInput): { h: () => Harness; skip: boolean } {
  const skip = kind === 'postgres' && !hasPostgres;
  let t: TestDatabase | undefined;
  let current: Harness | undefined;
  beforeAll(async () => {
    if (!skip) t = await createTestDatabase(kind);
  }, 60_000);
  afterAll(async () => {
    await t?.drop();
  });
  beforeEach(async () => {
    if (skip) return;
    await truncateAll(t!.db);
    current = harness(t!, rules, operatorRules);
  });
  afterEach(async () => {
    await current?.close();
    current = undefined;
  });
  return { h: () => current!, skip };
}

const hasPostgres = await postgresAvailable();

export function harness(t: TestDatabase, rules: SimRuleSetInput = {}, operatorRules?: SimRuleSetInput): Harness {
  const clock = new ManualClock(T0);
  const sim = new TelephonySimulator({ clock, rules, ...(operatorRules ? { operatorRules } : {}) });
  const runtime = new Runtime({ db: t.db, telephony: sim, clock, leaseMs: 5_000 });
  return {
    t,
    clock,
    sim,
    runtime,
    async publish(doc) {
      const { version } = await runtime.scenarios.save(doc);
      await runtime.scenarios.publish(version.scenarioId, version.version);
    },
    async advance(ms) {
      await runtime.drain();
      await clock.advance(ms);
      await sim.settled();
      await runtime.drain();
    },
    async close() {
      await runtime.close();
      sim.dispose();
    },
  };
}

/** A scenario document from nodes and `source:handle → target` edges. */
export function doc(id: string, nodes: Record<string, unknown>[], edges: [string, string][], extra: Record<string, unknown> = {}): Record<string, Json> {
  return {
    format: SCENARIO_FORMAT,
    id,
    name: id,
    kind: 'service',
    nodes: nodes as Json[],
    edges: edges.map(([from, target]) => {
      const [source, sourceHandle] = from.split(':');
      return { source: source!, sourceHandle: sourceHandle!, target };
    }),
    ...(extra as Record<string, Json>),
  };
}

/** The smallest runnable scenario: start → end. */
export const startEnd = (id: string): Record<string, Json> =>
  doc(
    id,
    [
      { id: 'start', type: 'start' },
      { id: 'end', type: 'end' },
    ],
    [['start:next', 'end']],
  );
