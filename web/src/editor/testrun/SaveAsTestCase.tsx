import { Button, Code, Group, Popover, Stack, Text, TextInput } from '@mantine/core';
import { IconTestPipe } from '@tabler/icons-react';
import { useState } from 'react';
import { notifySuccess } from '../../shared/errors.ts';
import { useEditor } from '../store.ts';
import { addTest, type FinalStatus, type RunReply, testCaseOf, topLevelPath } from './model.ts';
import { useTestRun } from './state.ts';

/**
 * Keeps a finished run as a test case of the scenario: its input, call
 * outcomes, form answers and setup SQL, and the path, status and result it
 * gave. Added to the draft (undoable); the next "Save draft" stores it.
 */
export function SaveAsTestCase({ run }: { run: RunReply & { status: FinalStatus } }) {
  const [opened, setOpened] = useState(false);
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const tests = useEditor((s) => s.doc?.tests);
  const trimmed = name.trim();
  const error = tests?.some((t) => t.name === trimmed) ? 'a test case with this name exists already' : trimmed.length > 200 ? 'at most 200 characters' : null;
  const save = () => {
    if (!trimmed || error) return;
    const { setup, answers } = useTestRun.getState();
    useEditor.getState().apply((doc) => addTest(doc, testCaseOf(trimmed, description, run, setup, answers)));
    notifySuccess(`Test case "${trimmed}" added to the draft — save the draft to keep it`);
    setOpened(false);
    setName('');
    setDescription('');
  };
  return (
    <Popover opened={opened} onChange={setOpened} width={320} position="bottom-end" trapFocus withArrow shadow="md">
      <Popover.Target>
        <Button size="xs" variant="light" leftSection={<IconTestPipe size={14} />} onClick={() => setOpened((o) => !o)}>
          Save as test case
        </Button>
      </Popover.Target>
      <Popover.Dropdown>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            save();
          }}
        >
          <Stack gap="xs">
            <TextInput
              label="Test case name"
              size="xs"
              required
              data-autofocus
              value={name}
              error={error}
              onChange={(e) => setName(e.currentTarget.value)}
              placeholder="e.g. callback in 30 minutes"
            />
            <TextInput label="Description" size="xs" value={description} onChange={(e) => setDescription(e.currentTarget.value)} />
            <Text size="xs" c="dimmed">
              It will expect status <b>{run.status}</b>, result <Code fz="xs">{JSON.stringify(run.result)}</Code> and the path {topLevelPath(run).join(' → ')}.
            </Text>
            <Group justify="flex-end" gap="xs">
              <Button size="xs" variant="default" onClick={() => setOpened(false)}>
                Cancel
              </Button>
              <Button size="xs" type="submit" disabled={!trimmed || !!error}>
                Add test case
              </Button>
            </Group>
          </Stack>
        </form>
      </Popover.Dropdown>
    </Popover>
  );
}
