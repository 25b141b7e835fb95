/**
 * /executions: every execution, newest first, filtered by scenario, status,
 * time range and task (the filters live in the URL, so a filtered list can
 * be shared), a page at a time.
 */
import { Button, Group, Paper, Select, Stack, Table, Text, TextInput } from '@mantine/core';
import { IconActivity, IconFilterOff } from '@tabler/icons-react';
import type { ExecutionStatus } from '@tellflow/api';
import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { Link, useSearchParams } from 'react-router';
import { Page } from '../app/Shell.tsx';
import { api } from '../shared/api.ts';
import { formatDateTime, formatDuration, formatWhen } from '../shared/format.ts';
import { durationMs, STATUS_OPTIONS, StatusBadge } from './status.tsx';
import { ListEmpty, ListError, ListLoading } from '../shared/ListStates.tsx';

const PAGE = 50;
const FILTERS = ['scenario', 'status', 'task', 'since', 'until'] as const;
type Filter = (typeof FILTERS)[number];

export function ExecutionListPage() {
  const [search, setSearch] = useSearchParams();
  const filter = Object.fromEntries(FILTERS.map((f) => [f, search.get(f) ?? ''])) as Record<Filter, string>;
  const set = (name: Filter, value: string | null) => {
    const next = new URLSearchParams(search);
    if (value) next.set(name, value);
    else next.delete(name);
    setSearch(next, { replace: true });
  };
  const filtered = FILTERS.some((f) => filter[f]);

  const scenarios = useQuery({ queryKey: ['scenarios'], queryFn: () => api.get('/api/scenarios') });
  const tasks = useQuery({
    queryKey: ['task-names'],
    queryFn: async () => {
      const [outbound, service] = await Promise.all([api.get('/api/outbound-tasks'), api.get('/api/service-tasks')]);
      return [
        ...outbound.tasks.map((t) => ({ value: `outbound:${t.id}`, label: `${t.name} (outbound)` })),
        ...service.tasks.map((t) => ({ value: `service:${t.id}`, label: `${t.name} (service)` })),
      ];
    },
  });
  const since = toIso(filter.since);
  const until = toIso(filter.until);
  const list = useInfiniteQuery({
    queryKey: ['executions', filter],
    initialPageParam: until,
    queryFn: ({ pageParam }) =>
      api.get('/api/executions', {
        query: {
          limit: PAGE,
          ...(filter.scenario ? { scenarioId: filter.scenario } : {}),
          ...(filter.status ? { status: filter.status } : {}),
          ...taskQuery(filter.task),
          ...(since ? { from: since } : {}),
          ...(pageParam ? { before: pageParam } : {}),
        },
      }),
    getNextPageParam: (last) => (last.executions.length === PAGE ? last.executions.at(-1)!.createdAt.toISOString() : undefined),
  });
  const rows = list.data?.pages.flatMap((p) => p.executions) ?? [];
  const idleHidden = list.data?.pages[0]?.idleHidden ?? 0;
  const scenarioNames = new Map(scenarios.data?.scenarios.map((s) => [s.id, s.name]));

  return (
    <Page title="Executions">
      <Stack gap="md">
        <Paper withBorder radius="md" p="md">
          <Group gap="md" align="flex-end" role="search" aria-label="Filter the executions">
            <Select
              label="Scenario"
              placeholder="All scenarios"
              clearable
              searchable
              w={200}
              data={scenarios.data?.scenarios.map((s) => ({ value: s.id, label: s.name })) ?? []}
              value={filter.scenario || null}
              onChange={(v) => set('scenario', v)}
            />
            <Select
              label="Status"
              placeholder="Any status"
              clearable
              w={160}
              data={STATUS_OPTIONS}
              value={filter.status || null}
              onChange={(v) => set('status', v)}
            />
            <Select
              label="Task"
              placeholder="Any task"
              clearable
              searchable
              w={190}
              data={tasks.data ?? []}
              value={filter.task || null}
              onChange={(v) => set('task', v)}
              nothingFoundMessage="No outbound or service tasks"
            />
            <TextInput label="From" type="datetime-local" w={190} value={filter.since} onChange={(e) => set('since', e.currentTarget.value)} />
            <TextInput label="To" type="datetime-local" w={190} value={filter.until} onChange={(e) => set('until', e.currentTarget.value)} />
            {filtered && (
              <Button variant="subtle" color="gray" leftSection={<IconFilterOff size={16} />} onClick={() => setSearch({}, { replace: true })}>
                Clear filters
              </Button>
            )}
          </Group>
        </Paper>
        <Paper withBorder radius="md">
          {list.isPending ? (
            <ListLoading label="Loading executions" />
          ) : list.isError ? (
            <ListError title="Could not load the executions" error={list.error} />
          ) : rows.length === 0 ? (
            <ListEmpty
              icon={<IconActivity size={40} color="var(--mantine-color-gray-5)" />}
              title={filtered ? 'No executions match these filters' : 'No executions yet'}
              hint={filtered ? 'Widen the time range or clear a filter.' : 'Executions appear here when calls, tasks or test starts run a scenario.'}
            />
          ) : (
            <Table highlightOnHover verticalSpacing="sm" horizontalSpacing="md">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Execution</Table.Th>
                  <Table.Th>Scenario</Table.Th>
                  <Table.Th>Status</Table.Th>
                  <Table.Th>Started</Table.Th>
                  <Table.Th>Duration</Table.Th>
                  <Table.Th>Result or error</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {rows.map((x) => (
                  <Table.Tr key={x.id} data-execution={x.id}>
                    <Table.Td>
                      <Text
                        component={Link}
                        to={`/executions/${x.id}`}
                        ff="monospace"
                        fw={600}
                        size="sm"
                        c="dark.8"
                        className="row-link"
                        aria-label={`Execution ${x.id}`}
                      >
                        {x.id.slice(0, 8)}
                      </Text>
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm" fw={600}>
                        {scenarioNames.get(x.scenarioId) ?? x.scenarioId}
                      </Text>
                      <Text size="xs" c="dimmed" ff="monospace">
                        {x.scenarioId} · v{x.version}
                      </Text>
                    </Table.Td>
                    <Table.Td>
                      <StatusBadge status={x.status as ExecutionStatus} />
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm" title={formatDateTime(x.createdAt)}>
                        {formatWhen(x.createdAt)}
                      </Text>
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm">
                        {formatDuration(durationMs(x))}
                        {x.endedAt ? '' : ' so far'}
                      </Text>
                    </Table.Td>
                    <Table.Td maw={320}>
                      <Text size="sm" truncate c={x.error ? 'red.8' : undefined} ff={x.error ? undefined : 'monospace'}>
                        {x.error ?? (x.result === null ? '—' : JSON.stringify(x.result))}
                      </Text>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          )}
        </Paper>
        {(list.hasNextPage || idleHidden > 0) && (
          <Group justify="space-between">
            <Text size="sm" c="dimmed">
              {idleHidden > 0 ? `${idleHidden} idle service-task run${idleHidden === 1 ? '' : 's'} not shown (they changed nothing).` : ''}
            </Text>
            {list.hasNextPage && (
              <Button variant="default" onClick={() => list.fetchNextPage()} loading={list.isFetchingNextPage}>
                Show older executions
              </Button>
            )}
          </Group>
        )}
      </Stack>
    </Page>
  );
}

/** A datetime-local value (the browser's time zone) as an ISO instant, or undefined. */
function toIso(local: string): string | undefined {
  if (!local) return undefined;
  const at = new Date(local);
  return Number.isNaN(at.getTime()) ? undefined : at.toISOString();
}

/** The task filter's value is `outbound:ID` or `service:ID`: an outbound task's calls, or a service task's scheduled runs. */
function taskQuery(value: string): { taskId?: string; serviceTaskId?: string } {
  const [kind, ...rest] = value.split(':');
  const id = rest.join(':');
  if (!id) return {};
  return kind === 'service' ? { serviceTaskId: id } : { taskId: id };
}
