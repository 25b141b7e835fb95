import { z } from 'zod';
import { Identifier, VariableType } from '../format/common.ts';
import { ui } from '../format/ui.ts';
import { JsonValue } from '../json.ts';
import { definePureNode } from './types.ts';

export const StartInput = z.strictObject({
  name: ui(Identifier, 'variable'),
  type: VariableType.optional(),
  required: z.boolean().optional(),
  default: ui(JsonValue, 'json').optional(),
  description: z.string().optional(),
});

export const StartParams = z.strictObject({
  inputs: z.array(StartInput).describe('Input variables the caller of the scenario passes in.').optional(),
});

export const start = definePureNode({
  type: 'start',
  title: 'Start',
  description: 'Where the execution begins; declares the input variables.',
  category: 'flow',
  icon: 'player-play',
  paramsOptional: true,
  params: StartParams,
  outcomes: () => ['next'],
  writes: (p) => (p.inputs ?? []).map((i) => i.name),
  // Inputs are applied by the interpreter when the execution starts.
  run: () => ({ outcome: 'next' }),
});
