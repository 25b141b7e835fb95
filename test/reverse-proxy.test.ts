/**
 * Deployment behind an HTTPS reverse proxy, as docs/deploy.md describes it:
 * Debian's nginx with a self-signed certificate in front of a real
 * `tellflow serve`, and a real Chromium signing in through it. Before
 * TELLFLOW_PUBLIC_URL / TELLFLOW_TRUST_PROXY, the browser's `Origin:
 * https://…` did not match the `http://` address the server saw: 403, nobody
 * could sign in; and the cookie was never Secure.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { get as httpsGet } from 'node:https';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, launchBrowser } from './support/browser.ts';
import { startServer, type ServerProcess } from './support/server-process.ts';

const NGINX = '/usr/sbin/nginx';

function nginxAvailable(): boolean {
  if (existsSync(NGINX)) return true;
  if (process.env.CI === 'true') throw new Error(`CI=true but ${NGINX} is missing: .ci/run installs nginx-light`);
  console.warn(`\n!!! ${NGINX} is missing: the reverse-proxy test is SKIPPED (apt-get install nginx-light).\n`);
  return false;
}

const ready = nginxAvailable() && chromiumAvailable();
const PASSWORD = 'a-long-passphrase-for-proxy-tests';

/** A self-signed certificate for 127.0.0.1 in `dir` (cert.pem, key.pem). */
function selfSigned(dir: string): void {
  const args = ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'];
  execFileSync('openssl', [...args, '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
}

async function freePort(): Promise<number> {
  const s = createServer();
  s.listen(0, '127.0.0.1');
  await once(s, 'listening');
  const port = (s.address() as { port: number }).port;
  s.close();
  await once(s, 'close');
  return port;
}

describe.skipIf(!ready)('behind nginx with TLS, signing in from Chromium', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tellflow-proxy-'));
  let server: ServerProcess;
  let nginx: ChildProcess;
  let proxyPort: number;

  beforeAll(async () => {
    selfSigned(dir);
    proxyPort = await freePort();
    server = await startServer({
      TELLFLOW_DATA_DIR: join(dir, 'data'),
      TELLFLOW_ADMIN_PASSWORD: PASSWORD,
      TELLFLOW_PUBLIC_URL: `https://127.0.0.1:${proxyPort}`,
      TELLFLOW_TRUST_PROXY: '127.0.0.1',
    });
    writeFileSync(
      join(dir, 'nginx.conf'),
      `daemon off;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log;
events {}
http {
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  server {
    listen 127.0.0.1:${proxyPort} ssl;
    ssl_certificate ${dir}/cert.pem;
    ssl_certificate_key ${dir}/key.pem;
    location / {
      proxy_pass ${server.url};
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_set_header X-Forwarded-Host $host:$server_port;
    }
  }
}
`,
    );
    nginx = spawn(NGINX, ['-p', dir, '-c', join(dir, 'nginx.conf')], { stdio: 'ignore' });
    // Ready once it accepts connections.
    for (let i = 0; i < 100; i++) {
      const ok = await fetch(`https://127.0.0.1:${proxyPort}/api/health`).then(
        () => true,
        (e: unknown) => !String((e as { cause?: unknown }).cause).includes('ECONNREFUSED'),
      );
      if (ok) break;
      await new Promise((r) => setTimeout(r, 100));
    }
  }, 90_000);

  afterAll(async () => {
    nginx?.kill('SIGTERM');
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('signs in from the browser through the proxy: same-origin check passes, the cookie is Secure, the session works', async () => {
    const browser = await launchBrowser(['--ignore-certificate-errors']);
    try {
      const context = await browser.newContext();
      const page = await context.newPage();
      await page.goto(`https://127.0.0.1:${proxyPort}/api/health`);
      const login = await page.evaluate(async (password) => {
        const r = await fetch('/api/auth/login', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ username: 'admin', password }),
        });
        return { status: r.status, body: await r.text() };
      }, PASSWORD);
      expect(login.status, login.body).toBe(200);
      const cookie = (await context.cookies()).find((c) => c.name === 'tellflow_session');
      expect(cookie).toMatchObject({ secure: true, httpOnly: true, sameSite: 'Lax' });
      const me = await page.evaluate(async () => (await fetch('/api/auth/me')).json());
      expect(me).toMatchObject({ user: { username: 'admin', role: 'admin' } });
      await context.close();
    } finally {
      await browser.close();
    }
  });
});

describe('serving https itself (TELLFLOW_TLS_CERT, TELLFLOW_TLS_KEY)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tellflow-tls-'));
  let server: ServerProcess | undefined;
  afterAll(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers over TLS with the given certificate, and refuses to start with one file of the two', async () => {
    selfSigned(dir);
    server = await startServer({
      TELLFLOW_DATA_DIR: join(dir, 'data'),
      TELLFLOW_ADMIN_PASSWORD: PASSWORD,
      TELLFLOW_TLS_CERT: join(dir, 'cert.pem'),
      TELLFLOW_TLS_KEY: join(dir, 'key.pem'),
    });
    expect(server.url).toMatch(/^https:\/\/localhost:\d+$/);
    const port = new URL(server.url).port;
    const body = await new Promise<string>((resolve, reject) => {
      httpsGet(`https://127.0.0.1:${port}/api/health`, { ca: readFileSync(join(dir, 'cert.pem')) }, (res) => {
        let text = '';
        res.on('data', (d: Buffer) => (text += d));
        res.on('end', () => resolve(text));
      }).on('error', reject);
    });
    expect(JSON.parse(body)).toMatchObject({ status: 'ok' });
    await expect(startServer({ TELLFLOW_DATA_DIR: join(dir, 'data2'), TELLFLOW_TLS_CERT: join(dir, 'cert.pem') })).rejects.toThrow(
      'TELLFLOW_TLS_CERT and TELLFLOW_TLS_KEY go together',
    );
  }, 120_000);
});
