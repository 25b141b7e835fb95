import { Accordion, Alert, Badge, Button, Group, Stack, Text } from '@mantine/core';
import { IconPlayerPlay, IconShieldCheck } from '@tabler/icons-react';
import { useIsMutating } from '@tanstack/react-query';
import { errorText } from '../../shared/errors.ts';
import { useIssues } from '../validation.ts';
import { CallOutcomes } from './CallOutcomes.tsx';
import { InputsForm } from './InputsForm.tsx';
import { simOf } from './model.ts';
import { RunResult } from './RunResult.tsx';
import { useTestRun } from './state.ts';
import classes from './testrun.module.css';
import { RUN_KEY, useRunDraft } from './useRunDraft.ts';
import { useRunOverlay } from './useRunOverlay.ts';
import { CodeField } from '../codemirror/LazyCodeField.tsx';

/** Setup statements are plain SQL run as the sandbox's owner: highlighting, no scenario placeholders. */

/**
 * The Test run tab: runs the open draft — unsaved changes included — in the
 * server's sandbox with the inputs, call outcomes and setup SQL given here,
 * then walks the path on the canvas and lists the steps.
 */
export function TestRunPanel() {
  const stale = useRunOverlay();
  const run = useTestRun((s) => s.run);
  const setup = useTestRun((s) => s.setup);
  const setSetup = useTestRun((s) => s.setSetup);
  const runDraft = useRunDraft();
  const running = useIsMutating({ mutationKey: RUN_KEY }) > 0;
  const errors = useIssues().filter((i) => i.severity === 'error').length;
  const sim = simOf(setup);
  const inputCount = Object.keys(setup.input).length;
  const ruleCount = setup.rules.filter((r) => r.match.trim()).length;

  return (
    <Stack gap="md">
      <Group gap={8} wrap="nowrap" align="flex-start" className={classes.sandbox}>
        <IconShieldCheck size={20} color="var(--mantine-color-teal-8)" style={{ flex: 'none' }} aria-hidden />
        <Text size="xs">
          <b>Sandboxed.</b> Runs the open draft, unsaved changes included, on a throwaway database with simulated calls and a simulated clock. A test run never
          changes production data.
        </Text>
      </Group>
      <Accordion multiple defaultValue={['inputs']} variant="contained" radius="md" chevronPosition="left">
        <Accordion.Item value="inputs">
          <Accordion.Control>
            <SectionTitle title="Inputs" note={inputCount ? `${inputCount} set` : undefined} />
          </Accordion.Control>
          <Accordion.Panel>
            <InputsForm />
          </Accordion.Panel>
        </Accordion.Item>
        <Accordion.Item value="calls">
          <Accordion.Control>
            <SectionTitle title="Call outcomes" note={sim ? `${ruleCount} rule${ruleCount === 1 ? '' : 's'}` : 'everyone answers'} />
          </Accordion.Control>
          <Accordion.Panel>
            <CallOutcomes />
          </Accordion.Panel>
        </Accordion.Item>
        <Accordion.Item value="sql">
          <Accordion.Control>
            <SectionTitle title="Setup SQL" note={setup.setupSql.trim() ? 'given' : undefined} />
          </Accordion.Control>
          <Accordion.Panel>
            <Text size="xs" c="dimmed" mb={6}>
              Runs in the sandbox before the scenario, e.g. to fill the tables its SQL nodes read.
            </Text>
            <CodeField
              label="Setup SQL statements"
              text={setup.setupSql}
              onText={(setupSql) => setSetup({ setupSql })}
              extensions={(languages) => languages.postgres()}
              minLines={4}
            />
          </Accordion.Panel>
        </Accordion.Item>
      </Accordion>
      <Button
        leftSection={<IconPlayerPlay size={16} />}
        loading={running}
        disabled={errors > 0}
        onClick={() => runDraft.mutate({ answers: {}, from: 0 })}
        fullWidth
      >
        {run ? 'Run again' : 'Run the draft'}
      </Button>
      {errors > 0 && (
        <Text size="xs" c="red.8" mt={-8}>
          Fix {errors} error{errors === 1 ? '' : 's'} in the Problems panel first: a draft with errors cannot run.
        </Text>
      )}
      {runDraft.isError && (
        <Alert color="red" variant="light" title="The run did not start" style={{ whiteSpace: 'pre-line' }}>
          <Text size="xs">{errorText(runDraft.error)}</Text>
        </Alert>
      )}
      {run && <RunResult run={run} stale={stale} />}
    </Stack>
  );
}

function SectionTitle({ title, note }: { title: string; note?: string | undefined }) {
  return (
    <Group gap={8} justify="space-between" wrap="nowrap" pr={4}>
      <Text size="sm" fw={600}>
        {title}
      </Text>
      {note && (
        <Badge size="xs" variant="light" color="gray">
          {note}
        </Badge>
      )}
    </Group>
  );
}
