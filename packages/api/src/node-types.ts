import { NodeCatalogEntry } from '@tellflow/engine';
import { z } from 'zod';

/** `GET /api/node-types`: the engine's node catalogue, from which the editor builds its palette and property forms. */
export const NodeTypes = z.object({ nodeTypes: z.array(NodeCatalogEntry) });
export type NodeTypes = z.infer<typeof NodeTypes>;
