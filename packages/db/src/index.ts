export * from './client.ts';
export * from './schema.ts';
export { selectList, type RowOf } from './select.ts';
export { migrate, MIGRATIONS_FOLDER } from './migrate.ts';
export { exclusively } from './exclusive.ts';
export { DataDirInUse, announceServer, liveHolder, type ServerAddress } from './data-dir-lock.ts';
export { openDatabase, describeDatabase, embeddedDataDir } from './open.ts';
export { SCENARIO_ROLE, grantToScenarios } from './scenario-role.ts';
export { createScratchDatabase, type ScratchOptions, type ScratchTiming } from './scratch.ts';
