import { ActionIcon, Button, Group, Select, Stack, Text, TextInput } from '@mantine/core';
import { IconPlus, IconTrash } from '@tabler/icons-react';
import { CALL_OUTCOMES, type CallOutcome, type CallRule, OUTCOME_LABELS } from './model.ts';
import { useTestRun } from './state.ts';
import classes from './testrun.module.css';

const OUTCOME_OPTIONS = CALL_OUTCOMES.map((o) => ({ value: o, label: OUTCOME_LABELS[o] }));

/** How the simulated customers (per number) and operators answer the calls the scenario makes. */
export function CallOutcomes() {
  const setup = useTestRun((s) => s.setup);
  const setSetup = useTestRun((s) => s.setSetup);
  const setRule = (i: number, change: Partial<CallRule>) => setSetup({ rules: setup.rules.map((r, j) => (j === i ? { ...r, ...change } : r)) });
  return (
    <Stack gap="xs">
      {setup.rules.length > 0 && (
        <div className={classes.rules}>
          {setup.rules.map((rule, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: rows have no identity but their position; a pattern is typed into them
            <Group key={i} gap={6} wrap="nowrap">
              <TextInput
                size="xs"
                flex={1}
                aria-label={`Number pattern of rule ${i + 1}`}
                placeholder="+1555* or /^\+44/"
                value={rule.match}
                onChange={(e) => setRule(i, { match: e.currentTarget.value })}
              />
              <Select
                size="xs"
                w={120}
                aria-label={`Outcome of rule ${i + 1}`}
                data={OUTCOME_OPTIONS}
                value={rule.outcome}
                allowDeselect={false}
                onChange={(v) => v && setRule(i, { outcome: v as CallOutcome })}
              />
              <ActionIcon
                variant="subtle"
                color="gray"
                aria-label={`Remove rule ${i + 1}`}
                onClick={() => setSetup({ rules: setup.rules.filter((_, j) => j !== i) })}
              >
                <IconTrash size={15} />
              </ActionIcon>
            </Group>
          ))}
        </div>
      )}
      <Button
        size="xs"
        variant="light"
        leftSection={<IconPlus size={14} />}
        onClick={() => setSetup({ rules: [...setup.rules, { match: '', outcome: 'busy' }] })}
        style={{ alignSelf: 'flex-start' }}
      >
        Add a number rule
      </Button>
      <Group grow gap="xs">
        <Select
          size="xs"
          label="Other numbers"
          data={OUTCOME_OPTIONS}
          value={setup.defaultOutcome}
          allowDeselect={false}
          onChange={(v) => v && setSetup({ defaultOutcome: v as CallOutcome })}
        />
        <Select
          size="xs"
          label="Operators"
          data={OUTCOME_OPTIONS}
          value={setup.operatorOutcome}
          allowDeselect={false}
          onChange={(v) => v && setSetup({ operatorOutcome: v as CallOutcome })}
        />
      </Group>
      <Text size="xs" c="dimmed">
        The first matching rule wins. Patterns: an exact number, a glob like +1555*, or /regex/.
      </Text>
    </Stack>
  );
}
