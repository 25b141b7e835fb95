import { Group, List, Stack, Text, ThemeIcon } from '@mantine/core';
import { Dropzone } from '@mantine/dropzone';
import { modals } from '@mantine/modals';
import { IconFileImport, IconUpload, IconX } from '@tabler/icons-react';
import { parseJsonText } from '@tellflow/engine';
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { ApiError, api } from '../shared/api.ts';
import { notifyError, notifySuccess } from '../shared/errors.ts';
import { issuesOf } from '../shared/issues.ts';

/** Drop a scenario file (or pick one): it becomes a new scenario or the next draft of an existing one. */
export function ImportDropzone({ onImported }: { onImported: (id: string) => void }) {
  const [busy, setBusy] = useState(false);
  const queryClient = useQueryClient();

  async function importFile(file: File) {
    const parsed = parseJsonText(new Uint8Array(await file.arrayBuffer()));
    if (!parsed.ok) return showProblems(file.name, `${file.name} is ${parsed.error}`, []);
    setBusy(true);
    try {
      const saved = await api.post('/api/scenarios', { body: parsed.value });
      notifySuccess(`Imported ${saved.version.scenarioId} as version ${saved.version.version}`);
      await queryClient.invalidateQueries({ queryKey: ['scenarios'] });
      onImported(saved.version.scenarioId);
    } catch (e) {
      if (e instanceof ApiError && e.status === 400) showProblems(file.name, e.message, issuesOf(e.details));
      else notifyError(`Could not import ${file.name}`, e);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Dropzone
      onDrop={(files) => files[0] && void importFile(files[0])}
      onReject={() => notifyError('Not a scenario file', 'Drop one .json file exported from Tellflow or written by hand.')}
      accept={['application/json', '.json']}
      maxFiles={1}
      multiple={false}
      loading={busy}
      radius="md"
      aria-label="Import a scenario file"
    >
      <Group justify="center" gap="md" mih={72} style={{ pointerEvents: 'none' }}>
        <Dropzone.Accept>
          <IconUpload size={32} color="var(--mantine-color-teal-6)" />
        </Dropzone.Accept>
        <Dropzone.Reject>
          <IconX size={32} color="var(--mantine-color-red-6)" />
        </Dropzone.Reject>
        <Dropzone.Idle>
          <IconFileImport size={32} color="var(--mantine-color-gray-6)" />
        </Dropzone.Idle>
        <div>
          <Text fw={600}>Import a scenario file</Text>
          <Text size="sm" c="dimmed">
            Drag a .json file here or click to pick one. A file with a known id becomes that scenario's next draft.
          </Text>
        </div>
      </Group>
    </Dropzone>
  );
}

function showProblems(fileName: string, message: string, issues: ReturnType<typeof issuesOf>) {
  modals.open({
    title: `${fileName} was not imported`,
    size: 'lg',
    children: (
      <Stack gap="sm">
        <Text>{message}</Text>
        {issues.length > 0 && (
          <List
            spacing={6}
            size="sm"
            icon={
              <ThemeIcon color="red" size={18} radius="xl">
                <IconX size={12} />
              </ThemeIcon>
            }
          >
            {issues.map((issue) => (
              <List.Item key={`${issue.nodeId}|${issue.path}|${issue.message}`}>
                {issue.nodeId && (
                  <Text span fw={600}>
                    node {issue.nodeId}
                  </Text>
                )}{' '}
                <Text span ff="monospace" size="xs" c="dimmed">
                  {issue.path}
                </Text>
                : {issue.message}
              </List.Item>
            ))}
          </List>
        )}
      </Stack>
    ),
  });
}
