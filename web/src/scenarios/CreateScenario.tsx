import { Button, Group, Select, Stack, Textarea, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { modals } from '@mantine/modals';
import { SCENARIO_FORMAT, type Scenario } from '@tellflow/engine';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '../shared/api.ts';
import { errorText } from '../shared/errors.ts';
import { SCENARIO_KINDS } from './kinds.ts';

/** A scenario id from its name: lower case words joined by dashes. */
export function idFromName(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 64);
}

/** The smallest runnable scenario: start → end. */
export function starterScenario(id: string, name: string, kind: Scenario['kind'], description: string): Scenario {
  return {
    format: SCENARIO_FORMAT,
    id,
    name,
    kind,
    ...(description ? { description } : {}),
    nodes: [
      { id: 'start', type: 'start', position: { x: 0, y: 0 } },
      { id: 'end', type: 'end', position: { x: 0, y: 160 } },
    ],
    edges: [{ source: 'start', sourceHandle: 'next', target: 'end' }],
  } as Scenario;
}

export function openCreateScenario(onCreated: (id: string) => void) {
  const created = (id: string) => {
    modals.close(modalId);
    onCreated(id);
  };
  const modalId = modals.open({ title: 'New scenario', size: 'lg', children: <CreateScenarioForm onCreated={created} /> });
}

function CreateScenarioForm({ onCreated }: { onCreated: (id: string) => void }) {
  const queryClient = useQueryClient();
  const form = useForm({
    initialValues: { name: '', id: '', kind: 'inbound', description: '' },
    validate: {
      name: (v) => (v.trim() ? null : 'Give the scenario a name'),
      id: (v) => (/^[a-z0-9][a-z0-9_-]*$/i.test(v) ? null : 'Letters, digits, - and _; starting with a letter or digit'),
    },
  });
  const create = useMutation({
    mutationFn: (v: typeof form.values) =>
      api.post('/api/scenarios', { body: starterScenario(v.id, v.name.trim(), v.kind as Scenario['kind'], v.description.trim()) }),
    onSuccess: async (saved) => {
      await queryClient.invalidateQueries({ queryKey: ['scenarios'] });
      onCreated(saved.version.scenarioId);
    },
  });
  return (
    <form onSubmit={form.onSubmit((v) => create.mutate(v))}>
      <Stack>
        <TextInput
          label="Name"
          placeholder="Callback monitor"
          data-autofocus
          {...form.getInputProps('name')}
          onChange={(e) => {
            const name = e.currentTarget.value;
            const followsName = form.values.id === idFromName(form.values.name);
            form.setValues({ name, ...(followsName ? { id: idFromName(name) } : {}) });
          }}
        />
        <TextInput label="Id" description="How other scenarios, tasks and the API refer to it; it cannot change later" {...form.getInputProps('id')} />
        <Select label="Kind" data={SCENARIO_KINDS} allowDeselect={false} {...form.getInputProps('kind')} />
        <Textarea label="Description" autosize minRows={2} {...form.getInputProps('description')} />
        {create.error && (
          <div role="alert" style={{ color: 'var(--mantine-color-red-7)', whiteSpace: 'pre-line' }}>
            {errorText(create.error)}
          </div>
        )}
        <Group justify="flex-end">
          <Button type="submit" loading={create.isPending}>
            Create and open
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
