import { Button, Group, Stack, Text, Tooltip } from '@mantine/core';
import { modals } from '@mantine/modals';
import { IconDeviceFloppy } from '@tabler/icons-react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { ApiError, api } from '../shared/api.ts';
import { notifyError, notifySuccess } from '../shared/errors.ts';
import { useShortcuts } from './commands/shortcuts.ts';
import { useDirty, useEditor } from './store.ts';
import { useIssues, useValidationCurrent } from './validation.ts';

/**
 * Saves the draft as a new version built on the version it was opened at;
 * when a colleague saved meanwhile the server answers 409 and the user
 * chooses, in a dialog, what happens — never a silent overwrite.
 */
export function SaveButton() {
  const dirty = useDirty();
  const errors = useIssues().filter((i) => i.severity === 'error').length;
  const checked = useValidationCurrent();
  const save = useSaveDraft();
  const blocked = errors > 0 || !checked;
  const disabled = !dirty || blocked;
  // Ctrl+S never opens the browser's "save page" dialog, also when there is nothing to save.
  useShortcuts({
    save: () => {
      if (!disabled && !save.isPending) save.mutate({});
    },
  });
  return (
    <Tooltip
      label={
        !checked
          ? 'Checking the scenario…'
          : errors > 0
            ? `Fix ${errors} error${errors === 1 ? '' : 's'} in the Problems panel to save`
            : 'Save a new draft version (Ctrl+S)'
      }
    >
      <Button
        leftSection={<IconDeviceFloppy size={16} />}
        variant={dirty ? 'filled' : 'default'}
        disabled={disabled}
        loading={save.isPending}
        onClick={() => save.mutate({})}
      >
        Save draft
      </Button>
    </Tooltip>
  );
}

export function useSaveDraft() {
  const queryClient = useQueryClient();
  const mutation = useMutation({
    mutationFn: async ({ force }: { force?: boolean }) => {
      const { doc, baseVersion } = useEditor.getState();
      if (!doc) throw new Error('nothing to save');
      const saved = await api.put('/api/scenarios/{id}/draft', {
        params: { id: doc.id },
        body: doc,
        query: force || baseVersion === null ? {} : { baseVersion },
      });
      return { doc, saved };
    },
    onSuccess: ({ doc, saved }) => {
      useEditor.getState().markSaved(doc, saved.version.version);
      notifySuccess(`Saved as version ${saved.version.version}`);
      void queryClient.invalidateQueries({ queryKey: ['scenarios'] });
      void queryClient.invalidateQueries({ queryKey: ['versions', doc.id] });
    },
    onError: (e, { force }) => {
      if (e instanceof ApiError && e.status === 409 && !force) return openConflict(e.message, () => mutation.mutate({ force: true }));
      notifyError('Could not save the draft', e);
    },
  });
  return mutation;
}

function openConflict(message: string, saveAnyway: () => void) {
  const id = modals.open({
    title: 'Someone saved this scenario meanwhile',
    size: 'lg',
    children: (
      <Stack>
        <Text size="sm">{message}</Text>
        <Text size="sm">
          Your changes are still here. You can save them as the newest version on top of your colleague's (their version stays in the version list and can be
          compared), or keep editing and decide later.
        </Text>
        <Group justify="flex-end">
          <Button variant="default" onClick={() => modals.close(id)}>
            Keep editing
          </Button>
          <Button
            color="orange"
            onClick={() => {
              modals.close(id);
              saveAnyway();
            }}
          >
            Save mine as the newest version
          </Button>
        </Group>
      </Stack>
    ),
  });
}
