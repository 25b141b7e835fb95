export {
  importSubscribers,
  NOTHING_IMPORTED,
  formatImportError,
  type ImportMode,
  type ImportSubscribersOptions,
  type SubscriberImportResult,
  type SubscriberRowError,
  type SubscriberSource,
} from './import.ts';
export { SUBSCRIBER_COLUMNS, columnNamed, type SubscriberColumn } from './columns.ts';
export { SubscriberStore } from './store.ts';
