/**
 * `startChild` (the runScenario node). Not waiting: a database effect like
 * `sql` — the children are inserted in the transaction that commits the next
 * step (one, one per `each` item in one statement, or one per row of
 * `eachRow`'s query, run there too: all or none). Waiting for its one child:
 * started outside the step's transaction, in a transaction that inserts the
 * child and marks the effect started; the child's ending step completes it.
 * Children waited for are asked to stop when their parent ends (by the
 * ending step's statement). In the step's transaction, which runs in the
 * scenarios' sandbox, it reads the scenarios and inserts the children as the
 * server, and runs `eachRow`'s query in the sandbox.
 */
import type { Queryable, Transaction } from '@tellflow/db';
import { checkInputs, type Effect, type Json, type Scenario } from '@tellflow/engine';
import type { ScenarioVersion } from '../scenarios.ts';
import { useRole, type ClaimedExecution } from '../sql/claim.ts';
import { completeEffect, markStarted } from '../sql/effects.ts';
import { insertExecution, insertExecutions } from '../sql/executions.ts';
import type { EffectHandler, EffectServices } from './handler.ts';
import { performSql } from './sql.ts';
import { DEFAULT_SQL_TIMEOUT_MS, type Sandbox } from './statement.ts';

type StartChildEffect = Extract<Effect, { kind: 'startChild' }>;

export const startChild: EffectHandler<StartChildEffect> = {
  performed: (r) => (r.wait ? 'outside' : 'inTransaction'),
  inTransaction: {
    statementTimeoutMs: () => DEFAULT_SQL_TIMEOUT_MS,
    async perform(tx, request, ctx) {
      await useRole(tx, 'none');
      const { result, started } = await startChildren(tx, ctx.services, ctx.execution, request, null, ctx.now, ctx.sandbox);
      // Not in a finally: a throw undoes the transaction, role and all.
      await useRole(tx, ctx.sandbox.role);
      if (started) ctx.wakesOthers();
      return result;
    },
  },
  outside: {
    async start(ctx, effect, request) {
      const { db } = ctx.services;
      const c = ctx.execution;
      const started = await db.transaction(async (tx) => {
        const { result, childId } = await startChildren(tx, ctx.services, c, request, effect.step, ctx.now, null);
        await markStarted(tx, c.id, effect.step, ctx.now, { externalId: childId ?? null });
        if (!childId) await completeEffect(tx, c.id, effect.step, result, ctx.now);
        return childId !== undefined;
      });
      if (started) await ctx.services.notify();
    },
    lostResult: () => ({ outcome: 'failed', error: 'no result arrived before the deadline' }),
  },
};

/**
 * Inserts the children a startChild effect asks for, in `tx`: one, every
 * item of `each`, or one per row of `eachRow`'s query (run here, undone with
 * the children if any cannot start; in `sandbox`, which only the step's
 * transaction has). `waitStep` makes the one child report its end to that
 * step. Returns the effect's result ({ outcome: 'failed' }
 * when nothing started) and how many children started.
 */
async function startChildren(
  tx: Transaction,
  services: EffectServices,
  c: ClaimedExecution,
  request: StartChildEffect,
  waitStep: number | null,
  now: number,
  sandbox: Sandbox | null,
): Promise<{ result: Json; started: number; childId?: string }> {
  const failed = (error: string) => ({ result: { outcome: 'failed', error }, started: 0 });
  let version: ScenarioVersion;
  try {
    version = await services.scenarios.published(request.scenario, tx);
  } catch (e) {
    return failed((e as Error).message);
  }
  const insertMany = (q: Queryable, inputs: Record<string, Json>[]) =>
    insertExecutions(q, {
      scenarioId: request.scenario,
      version: version.version,
      now,
      children: inputs.map((input) => ({ input, attachment: services.attachment.fromInput(input, c) })),
    });
  if (request.eachRow) {
    const eachRow = request.eachRow;
    // The engine asks for forEachRow only without waiting, i.e. in the step's transaction.
    if (!sandbox) throw new Error('forEachRow runs only in the transaction of the step that consumes it');
    const count = await tx
      .savepoint(async (sp) => {
        await useRole(sp, sandbox.role);
        const r = await performSql(sp, sandbox, { query: eachRow.query, params: eachRow.params, result: 'rows' });
        await useRole(sp, 'none');
        if (!r.ok) throw new NotStarted(`the query failed: ${r.error}`);
        const inputs = r.rows.map((row): Record<string, Json> => ({ ...row, ...request.inputs }));
        const problem = firstInputProblem(version.document, inputs);
        if (problem) throw new NotStarted(problem);
        return insertMany(sp, inputs);
      })
      .catch((e: unknown) => {
        if (e instanceof NotStarted) return e;
        throw e;
      });
    if (count instanceof NotStarted) return failed(count.message);
    return { result: { outcome: 'done', count }, started: count };
  }
  if (request.each) {
    const problem = firstInputProblem(version.document, request.each);
    if (problem) return failed(problem);
    const count = await insertMany(tx, request.each);
    return { result: { outcome: 'done', count }, started: count };
  }
  const problems = checkInputs(version.document, request.inputs);
  if (problems.length) return failed(`input "${problems[0]!.input}" ${problems[0]!.message}`);
  const childId = await insertExecution(tx, {
    scenarioId: request.scenario,
    version: version.version,
    input: request.inputs,
    now,
    parentId: waitStep !== null ? c.id : null,
    parentStep: waitStep,
    attachment: services.attachment.fromInput(request.inputs, c),
  });
  return { result: { outcome: 'done', executionId: childId }, started: 1, childId };
}

/** Children that cannot be started: the effect fails with this message. */
class NotStarted extends Error {}

/** The first child whose inputs the scenario does not accept, as "item N: input …", or null. */
function firstInputProblem(scenario: Scenario, inputs: Record<string, Json>[]): string | null {
  for (const [i, input] of inputs.entries()) {
    const problems = checkInputs(scenario, input);
    if (problems.length) return `item ${i}: input "${problems[0]!.input}" ${problems[0]!.message}`;
  }
  return null;
}
