import { Group, Text, ThemeIcon } from '@mantine/core';
import { IconTopologyStar3 } from '@tabler/icons-react';

export function Logo({ size = 28, withName = false }: { size?: number; withName?: boolean }) {
  return (
    <Group gap={8} wrap="nowrap">
      <ThemeIcon size={size} radius="md" variant="gradient" gradient={{ from: 'teal.7', to: 'cyan.5', deg: 135 }} aria-hidden>
        <IconTopologyStar3 size={size * 0.62} />
      </ThemeIcon>
      {withName && (
        <Text fw={700} size="lg" c="dark.7">
          Tellflow
        </Text>
      )}
    </Group>
  );
}
