/** Server state of a scenario's versions: the list, and any version's document (immutable, so cached for good). */
import type { Scenario } from '@tellflow/engine';
import { useQuery } from '@tanstack/react-query';
import { api } from '../../shared/api.ts';

export function useVersions(scenarioId: string) {
  return useQuery({
    queryKey: ['versions', scenarioId],
    queryFn: () => api.get('/api/scenarios/{id}/versions', { params: { id: scenarioId } }),
  });
}

/** A version never changes once saved: its document is fetched once. */
export const versionDocQuery = (scenarioId: string, version: number) => ({
  queryKey: ['version-doc', scenarioId, version],
  queryFn: (): Promise<Scenario> => api.get('/api/scenarios/{id}/versions/{version}/export', { params: { id: scenarioId, version } }),
  staleTime: Number.POSITIVE_INFINITY,
});

export function useVersionDoc(scenarioId: string, version: number | null | undefined) {
  return useQuery({ ...versionDocQuery(scenarioId, version ?? 0), enabled: version != null && version > 0 });
}

/** Where a version's file downloads from. */
export const exportHref = (scenarioId: string, version: number) => `/api/scenarios/${encodeURIComponent(scenarioId)}/versions/${version}/export`;

export const diffHref = (scenarioId: string, from: number, to: number) => `/scenarios/${encodeURIComponent(scenarioId)}/diff?from=${from}&to=${to}`;
