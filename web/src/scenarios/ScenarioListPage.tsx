import { ActionIcon, Badge, Button, Menu, Paper, Stack, Table, Text, Tooltip, VisuallyHidden } from '@mantine/core';
import { modals } from '@mantine/modals';
import { IconAlertTriangle, IconDots, IconDownload, IconPlus, IconTopologyStar3, IconTrash } from '@tabler/icons-react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useNavigate } from 'react-router';
import { Page } from '../app/Shell.tsx';
import { useMe } from '../auth/session.ts';
import { api } from '../shared/api.ts';
import { notifyError, notifySuccess } from '../shared/errors.ts';
import { formatWhen } from '../shared/format.ts';
import { openCreateScenario } from './CreateScenario.tsx';
import { ImportDropzone } from './ImportDropzone.tsx';
import { KIND_COLORS } from './kinds.ts';
import { ListEmpty, ListError, ListLoading } from '../shared/ListStates.tsx';

export function ScenarioListPage() {
  const me = useMe();
  const canWrite = me.data?.role === 'admin';
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const list = useQuery({ queryKey: ['scenarios'], queryFn: () => api.get('/api/scenarios') });
  const remove = useMutation({
    mutationFn: (id: string) => api.delete('/api/scenarios/{id}', { params: { id } }),
    onSuccess: (_, id) => {
      notifySuccess(`Scenario ${id} deleted`);
      void queryClient.invalidateQueries({ queryKey: ['scenarios'] });
    },
    onError: (e) => notifyError('Could not delete the scenario', e),
  });
  const confirmDelete = (id: string) =>
    modals.openConfirmModal({
      title: `Delete ${id}?`,
      children: <Text size="sm">Every version of this scenario is deleted. Past executions keep their history.</Text>,
      labels: { confirm: 'Delete', cancel: 'Cancel' },
      confirmProps: { color: 'red' },
      onConfirm: () => remove.mutate(id),
    });

  return (
    <Page
      title="Scenarios"
      actions={
        canWrite && (
          <Button leftSection={<IconPlus size={16} />} onClick={() => openCreateScenario((id) => navigate(`/scenarios/${encodeURIComponent(id)}`))}>
            New scenario
          </Button>
        )
      }
    >
      <Stack gap="lg">
        {canWrite && <ImportDropzone onImported={(id) => navigate(`/scenarios/${encodeURIComponent(id)}`)} />}
        <Paper withBorder radius="md">
          {list.isPending ? (
            <ListLoading label="Loading scenarios" />
          ) : list.isError ? (
            <ListError title="Could not load the scenarios" error={list.error} />
          ) : list.data.scenarios.length === 0 ? (
            <ListEmpty
              icon={<IconTopologyStar3 size={40} color="var(--mantine-color-gray-5)" />}
              title="No scenarios yet"
              hint="Create one, or drop a scenario file above."
            />
          ) : (
            <Table highlightOnHover verticalSpacing="sm" horizontalSpacing="md">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Scenario</Table.Th>
                  <Table.Th>Kind</Table.Th>
                  <Table.Th>Published</Table.Th>
                  <Table.Th>Latest</Table.Th>
                  <Table.Th>Validity</Table.Th>
                  <Table.Th>Last change</Table.Th>
                  <Table.Th w={48}>
                    <VisuallyHidden>Actions</VisuallyHidden>
                  </Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {list.data.scenarios.map((s) => (
                  <Table.Tr key={s.id}>
                    <Table.Td>
                      <Text component={Link} to={`/scenarios/${encodeURIComponent(s.id)}`} fw={600} c="dark.8" td="none" className="row-link">
                        {s.name}
                      </Text>
                      <Text size="xs" c="dimmed" ff="monospace">
                        {s.id}
                      </Text>
                    </Table.Td>
                    <Table.Td>
                      <Badge variant="light" color={KIND_COLORS[s.kind] ?? 'gray'}>
                        {s.kind}
                      </Badge>
                    </Table.Td>
                    <Table.Td>{s.publishedVersion === null ? <Text c="dimmed">not published</Text> : `v${s.publishedVersion}`}</Table.Td>
                    <Table.Td>
                      v{s.latestVersion}
                      {s.publishedVersion !== null && s.latestVersion > s.publishedVersion && (
                        <Badge ml={6} size="xs" variant="outline" color="orange">
                          draft
                        </Badge>
                      )}
                    </Table.Td>
                    <Table.Td>
                      <Validity publishProblem={s.publishProblem} warnings={s.warnings} />
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm">{formatWhen(s.updatedAt)}</Text>
                    </Table.Td>
                    <Table.Td>
                      <Menu position="bottom-end">
                        <Menu.Target>
                          <ActionIcon variant="subtle" color="gray" aria-label={`Actions for ${s.name}`}>
                            <IconDots size={18} />
                          </ActionIcon>
                        </Menu.Target>
                        <Menu.Dropdown>
                          <Menu.Label>Export</Menu.Label>
                          <Menu.Item
                            leftSection={<IconDownload size={16} />}
                            component="a"
                            href={`/api/scenarios/${encodeURIComponent(s.id)}/versions/${s.latestVersion}/export`}
                            download
                          >
                            Latest (v{s.latestVersion})
                          </Menu.Item>
                          {s.publishedVersion !== null && s.publishedVersion !== s.latestVersion && (
                            <Menu.Item
                              leftSection={<IconDownload size={16} />}
                              component="a"
                              href={`/api/scenarios/${encodeURIComponent(s.id)}/versions/${s.publishedVersion}/export`}
                              download
                            >
                              Published (v{s.publishedVersion})
                            </Menu.Item>
                          )}
                          {canWrite && (
                            <>
                              <Menu.Divider />
                              <Tooltip label={s.inUse ?? ''} disabled={!s.inUse} position="left">
                                <div>
                                  <Menu.Item color="red" leftSection={<IconTrash size={16} />} disabled={!!s.inUse} onClick={() => confirmDelete(s.id)}>
                                    Delete
                                  </Menu.Item>
                                </div>
                              </Tooltip>
                            </>
                          )}
                        </Menu.Dropdown>
                      </Menu>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          )}
        </Paper>
      </Stack>
    </Page>
  );
}

function Validity({ publishProblem, warnings }: { publishProblem: string | null; warnings: number }) {
  if (publishProblem)
    return (
      <Tooltip label={publishProblem} multiline w={280}>
        <Badge color="red" variant="light" leftSection={<IconAlertTriangle size={12} />}>
          cannot publish
        </Badge>
      </Tooltip>
    );
  if (warnings > 0)
    return (
      <Badge color="yellow" variant="light">
        {warnings} warning{warnings === 1 ? '' : 's'}
      </Badge>
    );
  return (
    <Badge color="teal" variant="light">
      valid
    </Badge>
  );
}
