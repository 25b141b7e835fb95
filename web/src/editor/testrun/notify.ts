import { notifications } from '@mantine/notifications';

/**
 * A green confirmation whose close button has a name (shared/errors.ts'
 * notifySuccess leaves it unnamed, which axe reports as critical).
 */
export function notifyDone(message: string): void {
  notifications.show({ color: 'teal', message, autoClose: 4000, closeButtonProps: { 'aria-label': 'Close the message' } });
}
