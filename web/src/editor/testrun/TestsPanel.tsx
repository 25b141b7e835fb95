import { ActionIcon, Alert, Badge, Button, Group, List, Paper, Stack, Text, ThemeIcon, Tooltip } from '@mantine/core';
import { IconCircleCheck, IconCircleX, IconDeviceFloppy, IconEye, IconPlayerPlay, IconTestPipe, IconTrash } from '@tabler/icons-react';
import type { ScenarioTest } from '@tellflow/engine';
import { useMutation } from '@tanstack/react-query';
import { api } from '../../shared/api.ts';
import { errorText, notifySuccess } from '../../shared/errors.ts';
import { useSaveDraft } from '../SaveButton.tsx';
import { usePanels } from '../panels/panel-state.ts';
import { useDirty, useEditor } from '../store.ts';
import { useIssues } from '../validation.ts';
import { type CaseResult, removeTest, setupOf } from './model.ts';
import { useTestRun } from './state.ts';
import classes from './testrun.module.css';
import { useRunDraft } from './useRunDraft.ts';

const NO_TESTS: ScenarioTest[] = [];

/**
 * The Tests tab: the scenario's test cases (as in the draft), "Run all" on
 * the latest saved version, each case green or red with what differed; a
 * case's run opens in the Test run tab.
 */
export function TestsPanel() {
  const tests = useEditor((s) => s.doc?.tests ?? NO_TESTS);
  const scenarioId = useEditor((s) => s.scenarioId) ?? '';
  const baseVersion = useEditor((s) => s.baseVersion);
  const dirty = useDirty();
  const errors = useIssues().filter((i) => i.severity === 'error').length;
  const results = useTestRun((s) => s.results);
  const save = useSaveDraft();
  const runAll = useMutation({
    mutationFn: () => api.post('/api/scenarios/{id}/tests/run', { params: { id: scenarioId }, body: {} }),
    onSuccess: (reply) => useTestRun.getState().setResults(reply),
  });
  const saveAndRun = async () => {
    try {
      await save.mutateAsync({});
    } catch {
      return; // the save told the user why (or opened the conflict dialog)
    }
    runAll.mutate();
  };

  if (tests.length === 0)
    return (
      <Stack align="center" gap={6} py="xl" ta="center">
        <ThemeIcon color="gray" variant="light" size={40} radius="xl">
          <IconTestPipe size={22} />
        </ThemeIcon>
        <Text fw={600}>No test cases yet</Text>
        <Text size="sm" c="dimmed" maw={280}>
          Run the draft in the Test run tab, then keep the run with "Save as test case": its inputs, call outcomes, form answers and the path it took.
        </Text>
      </Stack>
    );

  const byName = new Map(results?.tests.map((t) => [t.name, t]));
  return (
    <Stack gap="sm">
      <Group justify="space-between" wrap="nowrap">
        <div>
          <Text fw={600}>
            {tests.length} test case{tests.length === 1 ? '' : 's'}
          </Text>
          {results && (
            <Text size="xs" c={results.failed ? 'red.8' : 'teal.9'} data-testid="tests-summary">
              {results.passed} passed, {results.failed} failed on version {results.version}
            </Text>
          )}
        </div>
        <Button
          leftSection={<IconPlayerPlay size={16} />}
          loading={runAll.isPending}
          onClick={() => runAll.mutate()}
          variant={dirty ? 'default' : 'filled'}
          disabled={baseVersion === null}
        >
          {dirty ? 'Run saved version' : 'Run all'}
        </Button>
      </Group>
      {dirty && (
        <Alert color="orange" variant="light" p="xs" icon={<IconDeviceFloppy size={16} />}>
          <Text size="xs">Test cases run on the latest saved version{baseVersion !== null ? ` (v${baseVersion})` : ''}; this draft has unsaved changes.</Text>
          <Button size="compact-xs" mt={6} onClick={saveAndRun} loading={save.isPending} disabled={errors > 0}>
            Save the draft and run all
          </Button>
        </Alert>
      )}
      {runAll.isError && (
        <Alert color="red" variant="light" p="xs" title="The tests did not run">
          <Text size="xs">{errorText(runAll.error)}</Text>
        </Alert>
      )}
      <Stack gap={8} component="ul" className={classes.cases} aria-label="Test cases">
        {tests.map((test) => (
          <TestCase key={test.name} test={test} result={byName.get(test.name)} version={results?.version ?? null} />
        ))}
      </Stack>
    </Stack>
  );
}

function TestCase({ test, result, version }: { test: ScenarioTest; result: CaseResult | undefined; version: number | null }) {
  const state = result ? (result.passed ? 'passed' : 'failed') : 'not run';
  const openRun = () => {
    if (!result?.run || version === null) return;
    const run = useTestRun.getState();
    run.setSetup(setupOf(test));
    run.setAnswers(test.answers ?? {});
    run.show({ reply: result.run, doc: useEditor.getState().doc!, source: { kind: 'test', name: test.name, version } }, 0);
    usePanels.getState().setTab('testrun');
  };
  const runDraft = useRunDraft();
  const tryOnDraft = () => {
    useTestRun.getState().setSetup(setupOf(test));
    runDraft.mutate({ answers: test.answers ?? {}, from: 0 });
    usePanels.getState().setTab('testrun');
  };
  const remove = () => {
    useEditor.getState().apply((doc) => removeTest(doc, test.name));
    notifySuccess(`Test case "${test.name}" removed from the draft (Ctrl+Z brings it back)`);
  };
  return (
    <Paper component="li" withBorder p="xs" radius="md" className={classes.case} data-state={state} data-testid="test-case">
      <Group gap={8} wrap="nowrap" align="flex-start">
        {state === 'passed' ? (
          <IconCircleCheck size={18} color="var(--mantine-color-teal-7)" style={{ flex: 'none', marginTop: 2 }} aria-hidden />
        ) : state === 'failed' ? (
          <IconCircleX size={18} color="var(--mantine-color-red-7)" style={{ flex: 'none', marginTop: 2 }} aria-hidden />
        ) : (
          <span className={classes.notRun} aria-hidden />
        )}
        <div style={{ flex: 1, minWidth: 0 }}>
          <Text component="div" size="sm" fw={600} className={classes.caseName}>
            {test.name}{' '}
            <Badge size="xs" variant="light" color={state === 'passed' ? 'teal' : state === 'failed' ? 'red' : 'gray'} className={classes.caseBadge}>
              {state}
            </Badge>
          </Text>
          {test.description && (
            <Text size="xs" c="dimmed">
              {test.description}
            </Text>
          )}
          <Text size="xs" c="dimmed" mt={2}>
            expects {test.expect.status ?? 'completed'}
            {test.expect.result !== undefined ? `, result ${JSON.stringify(test.expect.result)}` : ''}
          </Text>
          {test.expect.path && (
            <Text size="xs" c="dimmed" className={classes.expect}>
              {test.expect.path.join(' → ')}
            </Text>
          )}
          {result && !result.passed && (
            <List size="xs" mt={4} c="red.9" spacing={2}>
              {result.failures.map((f) => (
                <List.Item key={f}>{f}</List.Item>
              ))}
            </List>
          )}
        </div>
        <Group gap={2} wrap="nowrap">
          {result?.run && (
            <Tooltip label="Open this run in the Test run tab">
              <ActionIcon variant="subtle" color="gray" aria-label={`Open the run of ${test.name}`} onClick={openRun}>
                <IconEye size={16} />
              </ActionIcon>
            </Tooltip>
          )}
          <Tooltip label="Run it on the draft in the Test run tab">
            <ActionIcon variant="subtle" color="gray" aria-label={`Run ${test.name} on the draft`} onClick={tryOnDraft}>
              <IconPlayerPlay size={16} />
            </ActionIcon>
          </Tooltip>
          <Tooltip label="Remove from the draft">
            <ActionIcon variant="subtle" color="gray" aria-label={`Delete test case ${test.name}`} onClick={remove}>
              <IconTrash size={16} />
            </ActionIcon>
          </Tooltip>
        </Group>
      </Group>
    </Paper>
  );
}
