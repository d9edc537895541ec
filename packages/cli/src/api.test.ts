// `execguard api` against a real server (`execguard serve` on SQLite, a child process): the token
// comes from the environment, bodies from files, HTTP refusals exit 1 with the server's message.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const MAIN = join(dirname(fileURLToPath(import.meta.url)), 'main.js');

function cli(args: string[], env: Record<string, string>) {
  const r = spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf8', env: { ...process.env, ...env } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

test('execguard api: authenticated calls, bodies from files, refusals exit 1 and name the field', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'execguard-api-'));
  const server = spawn(process.execPath, [MAIN, 'serve', '--db', `sqlite:${join(dir, 'db.sqlite')}`, '--port', '0', '--json'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    const line = await new Promise<string>((resolve, reject) => {
      let out = '';
      server.stdout?.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('\n')) resolve(out.split('\n')[0] as string);
      });
      server.once('exit', (c) => reject(new Error(`serve exited ${c}`)));
    });
    const info = JSON.parse(line) as { listening: string; bootstrapToken: string };
    const env = { EXECGUARD_SERVER: info.listening, EXECGUARD_TOKEN: info.bootstrapToken };

    const hosts = cli(['api', 'GET', '/v1/hosts', '--json'], env);
    assert.equal(hosts.code, 0, hosts.err);
    assert.ok(Array.isArray(JSON.parse(hosts.out).hosts));

    const unauth = cli(['api', 'GET', '/v1/hosts'], { ...env, EXECGUARD_TOKEN: '' });
    assert.equal(unauth.code, 1);
    assert.match(unauth.err, /401/);

    const policy = join(dir, 'policy.json');
    writeFileSync(
      policy,
      JSON.stringify({
        text: JSON.stringify({
          apiVersion: 'execguard.io/v1',
          kind: 'Policy',
          metadata: { name: 'cli-test', version: 1 },
          defaults: { mode: 'audit', failMode: 'open' },
          rules: [{ id: 'allow-true', action: 'allow', match: { program: { path: ['/usr/bin/true'] } } }],
        }),
      }),
    );
    const added = cli(['api', 'POST', '/v1/policies', '--data', `@${policy}`, '--json'], env);
    assert.equal(added.code, 0, added.err);
    const listed = cli(['api', 'GET', '/v1/policies', '--json'], env);
    assert.match(listed.out, /cli-test/);

    const bad = cli(['api', 'POST', '/v1/exceptions', '--data', '{"nonsense":1}'], env);
    assert.equal(bad.code, 1);
    assert.match(bad.err, /400/);

    assert.equal(cli(['api', 'FETCH', '/v1/hosts'], env).code, 2, 'an unknown method is a usage error');
    assert.equal(cli(['api', 'GET', '/v1/hosts', '--data', '{not json'], env).code, 2);
    assert.equal(cli(['api', 'GET', '/v1/hosts'], { EXECGUARD_SERVER: 'http://127.0.0.1:9', EXECGUARD_TOKEN: 'x' }).code, 2);
  } finally {
    server.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
});
