// A test-run worker thread: the sources are TypeScript, compiled on load by tsx as in the `tellflow` command.
import { register } from 'tsx/esm/api';

register();
await import('./worker-main.ts');
