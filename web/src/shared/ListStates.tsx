import { Alert, Center, Loader, Stack, Text } from '@mantine/core';
import { IconAlertTriangle } from '@tabler/icons-react';
import type { ReactNode } from 'react';
import { errorText } from './errors.ts';

/** A list that is loading. */
export function ListLoading({ label }: { label: string }) {
  return (
    <Center p="xl">
      <Loader aria-label={label} />
    </Center>
  );
}

/** A list that could not be loaded, with the server's words. */
export function ListError({ title, error }: { title: string; error: unknown }) {
  return (
    <Alert color="red" m="md" icon={<IconAlertTriangle size={18} />} title={title}>
      {errorText(error)}
    </Alert>
  );
}

/** A list with nothing in it: what is missing and how to get some. */
export function ListEmpty({ icon, title, hint }: { icon: ReactNode; title: string; hint: string }) {
  return (
    <Center p={48}>
      <Stack align="center" gap={6}>
        {icon}
        <Text fw={600}>{title}</Text>
        <Text c="dimmed" size="sm">
          {hint}
        </Text>
      </Stack>
    </Center>
  );
}
