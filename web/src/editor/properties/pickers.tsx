/**
 * Pickers: variable names (from the document), scenarios and queues (from
 * the server). A value the list does not have is still shown and kept: the
 * server's lists change, the document says what it says.
 */
import { Anchor, Autocomplete, Group, Select } from '@mantine/core';
import { IconExternalLink } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { api } from '../../shared/api.ts';
import { useKnownVariables } from './variables.ts';

interface PickerProps {
  id: string;
  value: string;
  onChange(value: string | undefined): void;
  error?: boolean;
  'aria-describedby'?: string | undefined;
  required?: boolean;
}

/** A variable name: any identifier, with the scenario's known variables offered. */
export function VariableInput({ id, value, onChange, error, required, ...rest }: PickerProps) {
  const variables = useKnownVariables();
  const data = [...new Set(variables.filter((v) => v.source !== 'built-in').map((v) => v.name))];
  return (
    <Autocomplete
      id={id}
      value={value}
      onChange={(v) => onChange(v === '' && !required ? undefined : v)}
      data={data}
      error={error}
      placeholder="variable name"
      ff="monospace"
      aria-describedby={rest['aria-describedby']}
      comboboxProps={{ withinPortal: true }}
    />
  );
}

/** Another scenario, chosen from the server's list, with a link that opens it in a new tab. */
export function ScenarioSelect({ id, value, onChange, error, required, ...rest }: PickerProps) {
  const scenarios = useQuery({ queryKey: ['scenarios'], queryFn: () => api.get('/api/scenarios') });
  const data = (scenarios.data?.scenarios ?? []).map((s) => ({ value: s.id, label: `${s.name} (${s.id})` }));
  if (value && !data.some((d) => d.value === value)) data.push({ value, label: `${value} (not on this server)` });
  return (
    <Group gap={6} wrap="nowrap" align="center">
      <Select
        id={id}
        style={{ flex: 1 }}
        data={data}
        value={value || null}
        onChange={(v) => onChange(v ?? (required ? '' : undefined))}
        searchable
        clearable={!required}
        error={error}
        placeholder={scenarios.isLoading ? 'Loading scenarios…' : 'Choose a scenario'}
        nothingFoundMessage="No scenario matches"
        aria-describedby={rest['aria-describedby']}
      />
      {value && (
        <Anchor href={`/scenarios/${encodeURIComponent(value)}`} target="_blank" rel="noopener" size="sm" aria-label={`Open scenario ${value} in a new tab`}>
          <Group gap={2} wrap="nowrap">
            Open <IconExternalLink size={14} />
          </Group>
        </Anchor>
      )}
    </Group>
  );
}

/** A queue, chosen from the server's queues (by id, labelled with its name). */
export function QueueSelect({ id, value, onChange, error, ...rest }: PickerProps) {
  const queues = useQuery({ queryKey: ['queues'], queryFn: () => api.get('/api/queues') });
  const data = (queues.data?.queues ?? []).map(({ queue: q }) => ({ value: q.id, label: q.name === q.id ? q.id : `${q.name} (${q.id})` }));
  if (value && !data.some((d) => d.value === value)) data.push({ value, label: `${value} (no such queue yet)` });
  return (
    <Select
      id={id}
      data={data}
      value={value || null}
      onChange={(v) => onChange(v ?? undefined)}
      searchable
      error={error}
      placeholder={queues.isLoading ? 'Loading queues…' : 'Choose a queue'}
      nothingFoundMessage="No queue matches"
      aria-describedby={rest['aria-describedby']}
    />
  );
}
