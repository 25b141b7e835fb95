export * from './port.ts';
export * from './requests.ts';
export * from './errors.ts';
export * from './wait-for-outcome.ts';
export * from './rules.ts';
export * from './call-log.ts';
export * from './simulator.ts';
export { compilePattern, type Matcher } from './match.ts';
