import { Group, Kbd, Modal, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { Fragment } from 'react';
import { SHORTCUTS, type Shortcut } from './shortcuts.ts';

const COLUMNS: Shortcut['group'][][] = [
  ['Edit', 'View'],
  ['Select', 'Help'],
];

/** Every shortcut of the canvas (`?`), from the same table the key handler uses. */
export function HelpOverlay({ opened, onClose }: { opened: boolean; onClose(): void }) {
  return (
    <Modal
      opened={opened}
      onClose={onClose}
      title="Keyboard shortcuts"
      closeButtonProps={{ 'aria-label': 'Close the shortcuts' }}
      size="min(960px, 95vw)"
      centered
    >
      <Stack gap="md">
        <Text size="sm" c="dimmed">
          Shortcuts work anywhere on the editor except while you type in a field. On a Mac, use ⌘ for Ctrl.
        </Text>
        <SimpleGrid cols={{ base: 1, md: 2 }} spacing="xl">
          {COLUMNS.map((groups) => (
            <Stack key={groups.join()} gap="md">
              {groups.map((group) => (
                <div key={group}>
                  <Title order={3} fz="sm" mb={4}>
                    {group}
                  </Title>
                  <Table verticalSpacing={4} withRowBorders={false}>
                    <Table.Tbody>
                      {SHORTCUTS.filter((s) => s.group === group).map((s) => (
                        <Table.Tr key={s.description}>
                          <Table.Td w={170}>
                            <Group gap={6}>
                              {s.keys.map((combo, i) => (
                                <Fragment key={combo.join('+')}>
                                  {i > 0 && (
                                    <Text span size="xs" c="dimmed">
                                      or
                                    </Text>
                                  )}
                                  <span>
                                    {combo.map((k, j) => (
                                      <Fragment key={k}>
                                        {j > 0 && ' + '}
                                        <Kbd size="xs">{k}</Kbd>
                                      </Fragment>
                                    ))}
                                  </span>
                                </Fragment>
                              ))}
                            </Group>
                          </Table.Td>
                          <Table.Td>
                            <Text size="sm">{s.description}</Text>
                          </Table.Td>
                        </Table.Tr>
                      ))}
                    </Table.Tbody>
                  </Table>
                </div>
              ))}
            </Stack>
          ))}
        </SimpleGrid>
      </Stack>
    </Modal>
  );
}
