import type { NodeCatalogEntry } from '@tellflow/engine';
import { useQuery } from '@tanstack/react-query';
import { api } from './api.ts';

/** The node catalogue from the server (types this server runs), by type. */
export function useCatalog() {
  return useQuery({
    queryKey: ['node-types'],
    queryFn: async () => new Map<string, NodeCatalogEntry>((await api.get('/api/node-types')).nodeTypes.map((t) => [t.type, t])),
    staleTime: Number.POSITIVE_INFINITY,
  });
}
