import { Center, Paper, Stack, Text, ThemeIcon, Title } from '@mantine/core';
import { IconHeadset } from '@tabler/icons-react';
import { useMe } from '../auth/session.ts';

/** Where agents land: their workspace (offers, forms, the queue) is the dispatcher's web page, still to come. */
export function AgentHome() {
  const me = useMe();
  return (
    <Center h="70vh">
      <Paper withBorder p="xl" radius="lg" maw={520}>
        <Stack align="center" gap="sm" ta="center">
          <ThemeIcon size={56} radius="xl" variant="light">
            <IconHeadset size={32} />
          </ThemeIcon>
          <Title order={2}>Hello, {me.data?.displayName ?? me.data?.username}</Title>
          <Text c="dimmed">
            Your agent workspace — customers offered from your queues, the forms your scenarios show, your status — comes with the dispatcher's web page. Until
            then your supervisor routes your calls and forms through the API.
          </Text>
        </Stack>
      </Paper>
    </Center>
  );
}
