/** The scenario's own settings (name, description), shown when no node is selected. */
import { Stack, Textarea, TextInput } from '@mantine/core';
import { useEditor } from '../store.ts';

export function ScenarioProperties() {
  const doc = useEditor((s) => s.doc)!;
  const apply = useEditor((s) => s.apply);
  return (
    <Stack gap="sm">
      <TextInput
        label="Scenario name"
        required
        value={doc.name}
        onChange={(e) => {
          const name = e.currentTarget.value;
          apply((d) => ({ ...d, name }), { merge: 'scenario|name' });
        }}
        error={doc.name.trim() === '' ? 'must not be empty' : undefined}
      />
      <Textarea
        label="Description"
        value={doc.description ?? ''}
        autosize
        minRows={2}
        maxRows={8}
        onChange={(e) => {
          const description = e.currentTarget.value;
          apply(({ description: _, ...d }) => (description ? { ...d, description } : d), { merge: 'scenario|description' });
        }}
      />
    </Stack>
  );
}
