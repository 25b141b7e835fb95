import { Button, Tooltip } from '@mantine/core';
import { IconPlayerPlay } from '@tabler/icons-react';
import { useEditor } from '../store.ts';

/** The toolbar's way into the Test run tab. */
export function TestRunButton() {
  const showPanel = useEditor((s) => s.showPanel);
  return (
    <Tooltip label="Run the draft in a sandbox and see its path">
      <Button variant="default" leftSection={<IconPlayerPlay size={16} />} onClick={() => showPanel('testrun')}>
        Test run
      </Button>
    </Tooltip>
  );
}
