import {
  IconBox,
  IconClock,
  IconDatabase,
  IconFlag,
  IconForms,
  IconGitBranch,
  IconHeadset,
  IconPhoneOutgoing,
  IconPlayerPlay,
  IconPlayerStop,
  IconSubtask,
  IconUsersGroup,
  IconVariable,
  type Icon,
} from '@tabler/icons-react';

/**
 * The catalogue names Tabler icons; these are the ones its node types use.
 * A type with an icon not listed here (a new node type) gets a plain box
 * rather than pulling every Tabler icon into the bundle.
 */
const ICONS: Record<string, Icon> = {
  clock: IconClock,
  database: IconDatabase,
  flag: IconFlag,
  forms: IconForms,
  'git-branch': IconGitBranch,
  headset: IconHeadset,
  'phone-outgoing': IconPhoneOutgoing,
  'player-play': IconPlayerPlay,
  'player-stop': IconPlayerStop,
  subtask: IconSubtask,
  'users-group': IconUsersGroup,
  variable: IconVariable,
};

export function NodeIcon({ name, size = 16 }: { name: string | undefined; size?: number }) {
  const Component = (name && ICONS[name]) || IconBox;
  return <Component size={size} stroke={1.8} aria-hidden />;
}

/** A colour per node category, shared by the palette and the canvas. */
export const CATEGORY_COLORS: Record<string, string> = {
  flow: 'gray',
  data: 'indigo',
  telephony: 'teal',
  operator: 'grape',
  queue: 'orange',
};
