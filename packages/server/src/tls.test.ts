import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { get as httpGet } from 'node:http';
import { request } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { harness } from './testing.js';

test('with a certificate and key configured the server speaks TLS only', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'execguard-tls-'));
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=localhost',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
        '-keyout',
        key,
        '-out',
        cert,
      ],
      {
        stdio: 'ignore',
      },
    );
  } catch {
    rmSync(dir, { recursive: true, force: true });
    t.skip('openssl is not installed');
    return;
  }
  const h = await harness({ tls: { cert: readFileSync(cert), key: readFileSync(key) } });
  try {
    await h.server.app.listen({ port: 0, host: '127.0.0.1' });
    const port = (h.server.app.server.address() as AddressInfo).port;
    const res = await new Promise<{ status: number; text: string; protocol: string }>((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port,
          path: '/v1/hosts',
          headers: { authorization: `Bearer ${h.tokens.viewer}` },
          ca: readFileSync(cert),
        },
        (r) => {
          let text = '';
          const protocol = (r.socket as unknown as { getProtocol(): string }).getProtocol();
          r.on('data', (d) => {
            text += d;
          });
          r.on('end', () =>
            resolve({
              status: r.statusCode ?? 0,
              text,
              protocol,
            }),
          );
        },
      );
      req.on('error', reject);
      req.end();
    });
    assert.equal(res.status, 200, res.text);
    assert.match(res.protocol, /^TLSv1\.[23]$/);
    // Plain HTTP to the same port gets no usable answer.
    const plain = await new Promise<string>((resolve) => {
      const req = httpGet({ host: '127.0.0.1', port, path: '/healthz' }, (r) => resolve(`status ${r.statusCode}`));
      req.on('error', (e) => resolve(`error ${(e as NodeJS.ErrnoException).code}`));
      // The TLS server waits for a ClientHello that never comes: no answer is the expected outcome.
      req.setTimeout(1000, () => {
        req.destroy();
        resolve('no answer');
      });
    });
    assert.ok(!plain.startsWith('status 200'), plain);
  } finally {
    await h.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
