import type { Health } from '@tellflow/api';
import { useEffect, useState } from 'react';
import { api } from './shared/api.ts';

/** Placeholder until the editor, agent workspace and monitor arrive: shows whether the server answers. */
export function App() {
  const [health, setHealth] = useState<Health | { error: string } | null>(null);
  useEffect(() => {
    api.get('/api/health').then(setHealth, (e: unknown) => setHealth({ error: e instanceof Error ? e.message : String(e) }));
  }, []);
  return (
    <main style={{ fontFamily: 'system-ui, sans-serif', maxWidth: 640, margin: '4rem auto', lineHeight: 1.5 }}>
      <h1>Tellflow</h1>
      <p>Visual scenario runtime for call centers.</p>
      <p>
        Server:{' '}
        <strong data-testid="health">
          {health === null ? 'checking…' : 'error' in health ? `unreachable (${health.error})` : `${health.status} (${health.database}, ${health.version})`}
        </strong>
      </p>
      <p>
        The API lives under <code>/api</code>; the scenario editor, agent workspace and monitor are coming next.
      </p>
    </main>
  );
}
