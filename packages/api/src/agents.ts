/** Agents: the people who take calls and forms, their extensions and presence. */
import { z } from 'zod';
import { DateTime, Role } from './common.ts';

/** What an agent says about itself. */
export const PRESENCE_STATES = ['offline', 'available', 'dnd'] as const;
export const PresenceState = z.enum(PRESENCE_STATES);
export type PresenceState = z.infer<typeof PresenceState>;

/** What the availability rule makes of it: busy and wrap-up come from what the agent is doing. */
export const AgentState = z.enum(['offline', 'available', 'dnd', 'busy', 'wrapUp']);
export type AgentState = z.infer<typeof AgentState>;

export const Agent = z.object({
  userId: z.string(),
  username: z.string(),
  displayName: z.string().nullable(),
  role: Role,
  extensions: z.array(z.string()),
  state: AgentState.meta({ description: 'whether the agent may be given something now (the availability rule), and if not, why' }),
  presence: PresenceState.meta({ description: 'what the agent said: offline until it says otherwise' }),
  since: DateTime.nullable().meta({ description: 'when it said so' }),
  reason: z.string().nullable().meta({ description: 'why, for DND or offline, if given' }),
  wrapUntil: DateTime.nullable().meta({ description: 'in wrap-up after a call until then (or until it says ready)' }),
  busyWith: z
    .object({ executionId: z.string(), scenarioId: z.string() })
    .nullable()
    .meta({ description: 'the execution it is busy with (its call, dialog or form)' }),
});
export type Agent = z.infer<typeof Agent>;

export const SetPresence = z.strictObject({
  state: PresenceState,
  reason: z.string().min(1).max(200).optional(),
});
export type SetPresence = z.infer<typeof SetPresence>;

export const AgentParams = z.object({ id: z.uuid() });
export const AgentList = z.object({ agents: z.array(Agent) });
export const OneAgent = z.object({ agent: Agent });
