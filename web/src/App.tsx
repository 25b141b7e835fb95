import { useEffect, useState } from 'react';

type Health = { status: string; version?: string } | { error: string };

/** Placeholder until the editor, agent workspace and monitor arrive: shows whether the server answers. */
export function App() {
  const [health, setHealth] = useState<Health | null>(null);
  useEffect(() => {
    fetch('/api/health')
      .then((r) => r.json() as Promise<Health>)
      .then(setHealth, (e: unknown) => setHealth({ error: String(e) }));
  }, []);
  return (
    <main style={{ fontFamily: 'system-ui, sans-serif', maxWidth: 640, margin: '4rem auto', lineHeight: 1.5 }}>
      <h1>Tellflow</h1>
      <p>Visual scenario runtime for call centers.</p>
      <p>
        Server: <strong data-testid="health">{health === null ? 'checking…' : 'error' in health ? `unreachable (${health.error})` : health.status}</strong>
      </p>
      <p>
        The API lives under <code>/api</code>; the scenario editor, agent workspace and monitor are coming next.
      </p>
    </main>
  );
}
