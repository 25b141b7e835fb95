import { Button, Tooltip } from '@mantine/core';
import { IconPlayerPlay } from '@tabler/icons-react';
import { usePanels } from '../panels/panel-state.ts';

/** The toolbar's way into the Test run tab. */
export function TestRunButton() {
  const setTab = usePanels((s) => s.setTab);
  return (
    <Tooltip label="Run the draft in a sandbox and see its path">
      <Button variant="default" leftSection={<IconPlayerPlay size={16} />} onClick={() => setTab('testrun')}>
        Test run
      </Button>
    </Tooltip>
  );
}
