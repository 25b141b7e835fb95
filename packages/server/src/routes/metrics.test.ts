import { DATABASE_KINDS } from '@tellflow/db/testing';
import { describe, expect, it } from 'vitest';
import { formScenario, useServer, waitingScenario } from '../test-support.ts';

const TOKEN = 'metrics-token-for-tests-0123';

describe.each(DATABASE_KINDS)('GET /metrics on %s', (kind) => {
  const { h, skip } = useServer(kind, { metricsToken: TOKEN });
  const scrape = () => h().call('GET', '/metrics', { headers: { authorization: `Bearer ${TOKEN}` } });
  const value = (text: string, series: string) => {
    const line = text.split('\n').find((l) => l.startsWith(`${series} `));
    if (!line) throw new Error(`no ${series} in\n${text}`);
    return Number(line.slice(series.length + 1));
  };

  it.skipIf(skip)('needs the bearer token, and says how to send it', async () => {
    const none = await h().call('GET', '/metrics');
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe('Bearer');
    expect(none.body.error).toBe('send the metrics token as "Authorization: Bearer TOKEN"');
    expect((await h().call('GET', '/metrics', { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
    // A session is not enough: scrapers have none, and a signed-in agent should not read them.
    expect((await h().call('GET', '/metrics', { as: 'admin' })).status).toBe(401);
  });

  it.skipIf(skip)('reports the work waiting in the database and what this process did, in the Prometheus text format', async () => {
    await h().importScenario(waitingScenario('flow'));
    await h().importScenario(formScenario('survey'));
    for (let i = 0; i < 3; i++) await h().call('POST', '/api/executions', { as: 'admin', body: { scenarioId: 'flow', input: { n: i } } });
    await h().call('POST', '/api/executions', { as: 'admin', body: { scenarioId: 'survey' } });
    let r = await scrape();
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(r.text).toContain('# TYPE tellflow_executions gauge');
    expect(value(r.text, 'tellflow_executions{status="running"}')).toBe(4);
    expect(value(r.text, 'tellflow_executions_due')).toBe(4);
    await h().clock.advance(5_000); // nobody picks them up for 5 s
    expect(value((await scrape()).text, 'tellflow_executions_oldest_due_seconds')).toBe(5);

    await h().runtime.drain();
    r = await scrape();
    expect(value(r.text, 'tellflow_executions{status="waiting"}')).toBe(4);
    expect(value(r.text, 'tellflow_executions_due')).toBe(0);
    expect(value(r.text, 'tellflow_executions_oldest_due_seconds')).toBe(0);
    expect(value(r.text, 'tellflow_forms_pending')).toBe(1);
    expect(value(r.text, 'tellflow_steps_committed_total')).toBe(4);

    await h().advance(90_000); // the waits end; a minute late for nobody
    r = await scrape();
    expect(value(r.text, 'tellflow_executions_finished_total{status="completed"}')).toBe(3);
    expect(value(r.text, 'tellflow_executions{status="waiting"}')).toBe(1);
    expect(value(r.text, 'tellflow_callbacks_due')).toBe(0);
    expect(value(r.text, 'process_resident_memory_bytes')).toBeGreaterThan(1_000_000);
  });
});

describe('GET /metrics without a token configured', () => {
  const { h, skip } = useServer('pglite');
  it.skipIf(skip)('is off, and says how to turn it on', async () => {
    const r = await h().call('GET', '/metrics', { headers: { authorization: 'Bearer anything-at-all-here' } });
    expect(r.status).toBe(404);
    expect(r.body.error).toBe('metrics are off: set TELLFLOW_METRICS_TOKEN to turn them on');
  });
});
