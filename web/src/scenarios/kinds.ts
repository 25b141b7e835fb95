/** A colour per scenario kind, the same in every list and badge. */
export const KIND_COLORS: Record<string, string> = {
  inbound: 'blue',
  outbound: 'grape',
  dialog: 'teal',
  service: 'orange',
  sub: 'gray',
};

export const SCENARIO_KINDS = [
  { value: 'inbound', label: 'Inbound — a caller reaches the call center' },
  { value: 'outbound', label: 'Outbound — the call center dials a customer' },
  { value: 'dialog', label: "Dialog — an operator's conversation with forms" },
  { value: 'service', label: 'Service — runs on a schedule or on demand' },
  { value: 'sub', label: 'Sub-scenario — run by other scenarios' },
];
