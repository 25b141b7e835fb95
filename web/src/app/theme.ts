import { createTheme, type CSSVariablesResolver } from '@mantine/core';

/**
 * One brand colour and calm greys: a tool people look at all day. Shades are
 * picked for WCAG AA contrast (4.5:1 for text): filled buttons use teal 8,
 * secondary text a grey darker than Mantine's default "dimmed".
 */
export const theme = createTheme({
  primaryColor: 'teal',
  primaryShade: 9,
  defaultRadius: 'md',
  fontFamily: 'Inter, "Segoe UI", system-ui, -apple-system, sans-serif',
  headings: { fontWeight: '650' },
  components: {
    Tooltip: { defaultProps: { openDelay: 300, withArrow: true } },
    // Mantine leaves the close button of dialogs without an accessible name.
    Modal: { defaultProps: { closeButtonProps: { 'aria-label': 'Close the dialog' } } },
  },
});

/**
 * Text on "light" badges, avatars and alerts: Mantine's default shades miss
 * 4.5:1 on their tinted backgrounds, so each colour gets a darker text and the
 * palest tint.
 */
const LIGHT_TEXT: Record<string, string> = {
  teal: '#06694b',
  orange: '#a63a06',
  grape: '#7b2a8c',
  blue: '#1a5a9e',
  gray: '#495057',
  red: '#b02525',
  yellow: '#7a5000',
  green: '#1f7a34',
  indigo: '#3b4bb8',
  cyan: '#0b6e80',
};

export const cssVariables: CSSVariablesResolver = () => ({
  variables: {},
  light: {
    '--mantine-color-dimmed': '#5f6770',
    // Filled buttons darken on hover (teal 9 → a deeper teal), keeping white text at 4.5:1.
    '--mantine-color-teal-filled-hover': '#06694b',
    ...Object.fromEntries(
      Object.entries(LIGHT_TEXT).flatMap(([color, text]) => [
        [`--mantine-color-${color}-light-color`, text],
        [`--mantine-color-${color}-light`, `var(--mantine-color-${color}-0)`],
        [`--mantine-color-${color}-outline`, text],
      ]),
    ),
  },
  dark: {},
});
