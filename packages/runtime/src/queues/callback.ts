/**
 * Callback in queue: a customer who joined with a callback number and no
 * waiting execution (it left a number and hung up, keeping its place). When
 * an agent takes it, the bundled scenario `queue-callback` rings the agent
 * and dials the customer back, bridged. It is started in the transaction
 * that assigns the entry, so an accepted callback is dialled once or not at
 * all; the entry then belongs to that execution: its end makes the entry
 * `served` and puts the agent in wrap-up (the queues trigger), and the agent
 * it serves does not count as busy to it (the availability rule's asker).
 */
import type { Queryable } from '@tellflow/db';
import { conflict } from '../errors.ts';
import type { ScenarioStore } from '../scenarios.ts';
import { insertExecution } from '../sql/executions.ts';
import { mustAcceptInputs } from '../start-inputs.ts';

export const QUEUE_CALLBACK_SCENARIO = 'queue-callback';

export interface CallbackEntry {
  id: number;
  execution_id: string | null;
  callback_number: string | null;
}

/** The entry is a callback: nobody waits on the line, the customer is to be called back. */
export const isCallback = (e: CallbackEntry): e is CallbackEntry & { callback_number: string } => e.execution_id === null && e.callback_number !== null;

/**
 * Starts the callback of `entry` for the agent (its extension), in `tx`, and
 * ties the entry to it. A 409 when the scenario cannot be started (deleted,
 * unpublished, or asking for other inputs): the accept is undone with it.
 */
export async function startQueueCallback(
  tx: Queryable,
  scenarios: ScenarioStore,
  entry: CallbackEntry & { callback_number: string },
  agent: string,
  now: number,
): Promise<string> {
  // A bigint column: PostgreSQL hands it over as text.
  const input = { agent, number: entry.callback_number, entryId: Number(entry.id) };
  let version: Awaited<ReturnType<ScenarioStore['published']>>;
  try {
    version = await scenarios.published(QUEUE_CALLBACK_SCENARIO, tx);
    mustAcceptInputs(version.document, input);
  } catch (e) {
    throw conflict(`cannot call the customer back: ${(e as Error).message}`);
  }
  const id = await insertExecution(tx, { scenarioId: QUEUE_CALLBACK_SCENARIO, version: version.version, input, now, attachment: { operator: agent } });
  await tx.query('update queue_entries set execution_id = $2 where id = $1', [entry.id, id]);
  return id;
}
