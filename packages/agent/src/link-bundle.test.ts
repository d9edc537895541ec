// The agent's side of signed bundles, through ServerLink against an HTTP peer that serves whatever
// bundle the test gives it: a good bundle is installed; tampered, unsigned, wrong-key and
// rolled-back ones are refused and the installed policy stays as it was.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Policy } from '@execguard/schema';
import { generateSigningKey, publicKeyPem, signBundle } from '@execguard/trust';
import { ServerLink } from './link.js';

const policy = (version: number): Policy =>
  ({
    apiVersion: 'execguard.io/v1',
    kind: 'Policy',
    metadata: { name: 'gw', version },
    defaults: { mode: 'audit', failMode: 'open' },
    rules: [{ id: 'allow-true', action: 'allow', match: { program: { path: ['/usr/bin/true'] } } }],
  }) as Policy;

test('bundles: installed when signed by the pinned key; tampered, unsigned, wrong-key and rolled-back ones refused', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'execguard-link-bundle-'));
  const key = generateSigningKey();
  const other = generateSigningKey();
  let bundle: unknown = '';
  const server: Server = createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    if (req.url === '/v1/enrol')
      res.writeHead(201).end(JSON.stringify({ hostId: 'h1', token: 'egt_test_credential_0123456789' }));
    else if (req.url === '/v1/signing-key') res.end(JSON.stringify({ keyId: key.keyId, publicKey: publicKeyPem(key.publicKey) }));
    else if (req.url === '/v1/hosts/h1/bundle') res.end(JSON.stringify({ bundle }));
    else res.writeHead(404).end('{}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  try {
    const link = new ServerLink({ server: url, stateDir: dir, hostId: 'h1' });
    await link.enrol('egt_enrolment_token');
    const sign = (version: number, sequence: number, k = key) =>
      signBundle(
        { policy: policy(version), sequence, notBefore: '2026-01-01T00:00:00Z', expiresAt: '2036-01-01T00:00:00Z' },
        k.privateKey,
      ).text;

    bundle = sign(2, 5);
    assert.equal(await link.pullBundle({ id: 'h1' }), true);
    assert.equal(JSON.parse(readFileSync(link.policyFile, 'utf8')).metadata.version, 2);
    assert.equal(await link.pullBundle({ id: 'h1' }), false, 'the same bundle again changes nothing');

    const good = sign(3, 6);
    const doc = JSON.parse(good);
    const payload = Buffer.from(doc.payload, 'base64').toString('utf8').replace('/usr/bin/true', '/usr/bin/nc');
    const tampered = JSON.stringify({ ...doc, payload: Buffer.from(payload).toString('base64') });
    assert.notEqual(tampered, good);
    const unsigned = JSON.stringify({ ...doc, signature: undefined });
    for (const [what, b] of [
      ['tampered', tampered],
      ['unsigned', unsigned],
      ['wrong key', sign(3, 6, other)],
      ['rolled back', sign(1, 4)],
    ] as const) {
      bundle = b;
      await assert.rejects(link.pullBundle({ id: 'h1' }), (e: Error) => e.message.length > 0, what);
      assert.equal(
        JSON.parse(readFileSync(link.policyFile, 'utf8')).metadata.version,
        2,
        `${what}: the installed policy is unchanged`,
      );
    }
    bundle = good;
    assert.equal(await link.pullBundle({ id: 'h1' }), true);
    assert.equal(link.bundleSequence(), 6);
  } finally {
    server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
