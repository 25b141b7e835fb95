/** The bundled callback monitor's service task: installed with the bundled scenarios, enabled by starting an outbound task. */
export const CALLBACK_MONITOR_ID = 'callback-monitor';

export const CALLBACK_MONITOR_TASK = {
  id: CALLBACK_MONITOR_ID,
  name: 'Callback monitor',
  scenarioId: 'callback-monitor',
  schedule: '*/5 * * * * *',
  enabled: false,
  overlap: 'skip',
  missed: 'skip',
} as const;
