import { Button, Group, Paper, Text } from '@mantine/core';
import { IconArrowBackUp, IconEye } from '@tabler/icons-react';
import { useEffect } from 'react';
import { backToDraft, forgetVersionView, useVersionView } from './view.ts';
import classes from './versions.module.css';

/** Over the canvas while an old version is shown: which one, and the way back to the draft. */
export function VersionBanner() {
  const version = useVersionView((s) => s.version);
  useEffect(() => forgetVersionView, []);
  if (version === null) return null;
  return (
    <Paper className={classes.banner} withBorder radius="xl" px="md" py={6} bg="blue.0" role="status">
      <Group gap="sm" wrap="nowrap">
        <IconEye size={18} color="var(--mantine-color-blue-7)" />
        <Text size="sm" fw={600} c="blue.9">
          Viewing version {version} — read only
        </Text>
        <Button size="xs" variant="white" leftSection={<IconArrowBackUp size={14} />} onClick={backToDraft}>
          Back to the draft
        </Button>
      </Group>
    </Paper>
  );
}
