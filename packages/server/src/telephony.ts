/**
 * The telephony the server runs with: the built-in simulator on the system
 * clock, its call log in the database (a call is never placed twice, also
 * across restarts). Rules come from the JSON file named by TELLFLOW_SIM_RULES;
 * without one, customers answer after 2 s and operators answer from the
 * agent page ('manual'). Every process's simulator beats in the log: the
 * calls of a process that died are taken over by another one (its recorded
 * outcome handed on, or the call ended as lost).
 */
import { readFile } from 'node:fs/promises';
import type { Clock } from '@tellflow/clock';
import type { Database } from '@tellflow/db';
import { parseJsonText } from '@tellflow/engine';
import { SqlCallLogStore } from '@tellflow/runtime';
import { DEFAULT_OPERATOR_RULES, parseSimRulesFile, TelephonySimulator, type SimRuleSetInput } from '@tellflow/telephony';
import type { Log } from './context.ts';

const SIM_HEARTBEAT_MS = 1_000;

export const DEFAULT_CUSTOMER_RULES: SimRuleSetInput = { rules: [], default: 'answered' };

export async function createTelephony(db: Database, clock: Clock, env: NodeJS.ProcessEnv, log: Log): Promise<TelephonySimulator> {
  let rules = { rules: DEFAULT_CUSTOMER_RULES, operatorRules: DEFAULT_OPERATOR_RULES };
  const file = env.TELLFLOW_SIM_RULES?.trim();
  if (file) {
    const text = parseJsonText(
      await readFile(file).catch((e: unknown) => {
        throw new Error(`TELLFLOW_SIM_RULES: cannot read ${file}: ${(e as Error).message}`);
      }),
    );
    if (!text.ok) throw new Error(`TELLFLOW_SIM_RULES: ${file}: ${text.error}`);
    const parsed = parseSimRulesFile(text.value);
    rules = { rules: parsed.rules, operatorRules: parsed.operatorRules ?? DEFAULT_OPERATOR_RULES };
  }
  return new TelephonySimulator({
    clock,
    ...rules,
    log: new SqlCallLogStore(db),
    // Beats in the log, so other processes (and the next start) take over the calls of one that dies.
    heartbeatMs: SIM_HEARTBEAT_MS,
    onError: (error) => log('telephony simulator error', { error: String(error) }),
  });
}
