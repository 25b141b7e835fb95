/**
 * `GET /api/node-types`: the node catalogue (the engine's `nodeCatalog()`),
 * from which the editor builds its palette and property forms. Any signed-in user.
 */
import { NodeTypes } from '@tellflow/api';
import { nodeCatalog } from '@tellflow/engine';
import type { Deps } from '../context.ts';
import { routeGroup } from '../http/route-group.ts';

export function nodeTypeRoutes(_deps: Deps) {
  const api = routeGroup('/api/node-types', 'node types');
  api.get(
    '/',
    {
      summary: 'Every node type: names, icon, outcomes and params (JSON Schema with UI hints)',
      description:
        'What an editor needs to offer each node type and generate its property form. `params` is JSON Schema (draft 2020-12); a field\'s `ui` says what it means (e.g. `sql`, `expression`, `duration`, `phone`, `scenarioRef`, `variable`), and expressions have `format: "json-logic"`.',
      access: 'signedIn',
      response: NodeTypes,
    },
    (c) => c.json({ nodeTypes: nodeCatalog() }),
  );
  return api.group;
}
