import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const main = join(root, 'packages', 'cli', 'dist', 'main.js');
const policy = join(root, 'examples', 'policies', 'linux-gateway.yaml');
const tmp = mkdtempSync(join(tmpdir(), 'execguard-bundle-'));

function run(...args: string[]) {
  const r = spawnSync(process.execPath, [main, ...args], {
    cwd: tmp,
    encoding: 'utf8',
    env: { ...process.env, EXECGUARD_STATE_DIR: join(tmp, 'default-state') },
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}
const noStack = (text: string) => assert.doesNotMatch(text, /\n\s+at .+:\d+:\d+\)?/);

// Keys for the whole file: the signer's and a stranger's.
const keys = join(tmp, 'keys');
const gen = run('bundle', 'keygen', '--out', keys, '--json');
const other = run('bundle', 'keygen', '--out', keys, '--name', 'other');
const key = join(keys, 'execguard-signing.key');
const pub = join(keys, 'execguard-signing.pub');
const otherKey = join(keys, 'other.key');

const NOW = '2030-06-01T00:00:00Z';
function exportBundle(name: string, sequence: number, ...extra: string[]) {
  const out = join(tmp, name);
  const r = run(
    'bundle',
    'export',
    '--policy',
    policy,
    '--key',
    key,
    '--sequence',
    String(sequence),
    '--not-before',
    '2030-01-01T00:00:00Z',
    '--expires',
    '2031-01-01T00:00:00Z',
    '--out',
    out,
    ...extra,
  );
  assert.equal(r.code, 0, r.err);
  return out;
}

test('bundle keygen writes a 0600 private key and never overwrites', () => {
  assert.equal(gen.code, 0, gen.err);
  assert.equal(other.code, 0, other.err);
  const j = JSON.parse(gen.out);
  assert.match(j.keyId, /^sha256:[0-9a-f]{64}$/);
  assert.equal(statSync(key).mode & 0o777, 0o600);
  assert.doesNotMatch(gen.out, /PRIVATE KEY/);
  const again = run('bundle', 'keygen', '--out', keys);
  assert.equal(again.code, 2);
  assert.match(again.err, /already exists/);
  noStack(again.err);
});

test('bundle export + verify: valid exits 0; --json; tampered, wrong key, expired, not yet valid, rollback exit 1', () => {
  const b = exportBundle('b1.json', 1, '--scope', 'role:gateway');
  const ok = run('bundle', 'verify', b, '--trusted-key', pub, '--now', NOW);
  assert.equal(ok.code, 0, ok.err);
  assert.match(ok.out, /valid — linux-gateway v7, sequence 1/);
  const j = run('bundle', 'verify', b, '--trusted-key', pub, '--now', NOW, '--json');
  assert.equal(j.code, 0);
  const parsed = JSON.parse(j.out);
  assert.equal(parsed.valid, true);
  assert.equal(parsed.sequence, 1);
  assert.deepEqual(parsed.scope, { roles: ['gateway'] });

  const env = JSON.parse(readFileSync(b, 'utf8'));
  const payload = Buffer.from(env.payload, 'base64').toString('utf8').replace('"mode":"enforce"', '"mode":"learn"');
  const tampered = join(tmp, 'tampered.json');
  writeFileSync(tampered, JSON.stringify({ ...env, payload: Buffer.from(payload).toString('base64') }));
  const cases: [string, string[], string][] = [
    ['tampered', [tampered, '--trusted-key', pub, '--now', NOW], 'E_BAD_SIGNATURE'],
    ['wrong key', [b, '--trusted-key', join(keys, 'other.pub'), '--now', NOW], 'E_UNKNOWN_KEY'],
    ['expired', [b, '--trusted-key', pub, '--now', '2031-02-01T00:00:00Z'], 'E_EXPIRED'],
    ['not yet valid', [b, '--trusted-key', pub, '--now', '2029-01-01T00:00:00Z'], 'E_NOT_YET_VALID'],
    ['rollback', [b, '--trusted-key', pub, '--now', NOW, '--min-sequence', '2'], 'E_ROLLED_BACK'],
    ['out of scope', [b, '--trusted-key', pub, '--now', NOW, '--host', 'hmi-1', '--role', 'hmi'], 'E_OUT_OF_SCOPE'],
  ];
  for (const [what, args, code] of cases) {
    const r = run('bundle', 'verify', ...args);
    assert.equal(r.code, 1, `${what}: ${r.err}`);
    assert.match(r.err, new RegExp(code), what);
    noStack(r.err);
    const rj = run('bundle', 'verify', ...args, '--json');
    assert.equal(JSON.parse(rj.out).code, code, what);
  }
  const unsigned = join(tmp, 'unsigned.json');
  writeFileSync(unsigned, JSON.stringify({ format: env.format, payload: env.payload }));
  const u = run('bundle', 'verify', unsigned, '--trusted-key', pub, '--now', NOW);
  assert.equal(u.code, 1);
  assert.match(u.err, /E_UNSIGNED/);
});

test('bundle verify/export: bad input exits 2', () => {
  const junk = join(tmp, 'junk.json');
  writeFileSync(junk, 'not a bundle');
  const r = run('bundle', 'verify', junk, '--trusted-key', pub);
  assert.equal(r.code, 2);
  assert.match(r.err, /E_MALFORMED/);
  assert.equal(run('bundle', 'verify', join(tmp, 'missing.json'), '--trusted-key', pub).code, 2);
  const priv = run('bundle', 'verify', junk, '--trusted-key', key);
  assert.equal(priv.code, 2, 'a private key is not a trusted key');
  assert.match(priv.err, /private key/);
  assert.equal(
    run('bundle', 'export', '--policy', policy, '--key', key, '--sequence', '0', '--out', join(tmp, 'x.json')).code,
    2,
  );
  assert.equal(
    run(
      'bundle',
      'export',
      '--policy',
      policy,
      '--key',
      key,
      '--sequence',
      '1',
      '--scope',
      'zone:3',
      '--out',
      join(tmp, 'x.json'),
    ).code,
    2,
  );
  assert.equal(
    run('bundle', 'export', '--policy', policy, '--key', pub, '--sequence', '1', '--out', join(tmp, 'x.json')).code,
    2,
  );
  assert.equal(
    run(
      'bundle',
      'export',
      '--policy',
      policy,
      '--key',
      otherKey,
      '--sequence',
      '1',
      '--not-before',
      '2030-01-01T00:00:00Z',
      '--expires',
      '2029-01-01T00:00:00Z',
      '--out',
      join(tmp, 'x.json'),
    ).code,
    2,
  );
  assert.equal(existsSync(join(tmp, 'x.json')), false);
});

test('bundle import: installs, remembers the sequence, refuses rollback and same-sequence changes', () => {
  const state = join(tmp, 'state');
  const b5 = exportBundle('b5.json', 5);
  const b4 = exportBundle('b4.json', 4);
  const b5b = exportBundle('b5b.json', 5, '--policy-version', '8');
  const b6 = exportBundle('b6.json', 6);
  const imp = (f: string, ...more: string[]) =>
    run('bundle', 'import', f, '--trusted-key', pub, '--state', state, '--now', NOW, ...more);
  const first = imp(b5, '--json');
  assert.equal(first.code, 0, first.err);
  const j = JSON.parse(first.out);
  assert.equal(j.sequence, 5);
  assert.equal(j.changed, true);
  assert.equal(JSON.parse(readFileSync(join(state, 'policy.json'), 'utf8')).metadata.name, 'linux-gateway');
  assert.equal(JSON.parse(readFileSync(join(state, 'bundle-state.json'), 'utf8')).sequence, 5);
  const again = imp(b5);
  assert.equal(again.code, 0);
  assert.match(again.out, /already installed/);
  const back = imp(b4);
  assert.equal(back.code, 1);
  assert.match(back.err, /E_ROLLED_BACK/);
  const conflict = imp(b5b);
  assert.equal(conflict.code, 1);
  assert.match(conflict.err, /already accepted with other content/);
  const fwd = imp(b6, '--policy-out', join(tmp, 'installed.json'));
  assert.equal(fwd.code, 0, fwd.err);
  assert.ok(existsSync(join(tmp, 'installed.json')));
  assert.equal(imp(b5).code, 1);
  // Default state directory from $EXECGUARD_STATE_DIR.
  const d = run('bundle', 'import', b5, '--trusted-key', pub, '--now', NOW);
  assert.equal(d.code, 0, d.err);
  assert.ok(existsSync(join(tmp, 'default-state', 'bundle-state.json')));
});

test('bundle and audit have --help', () => {
  for (const cmd of [
    ['bundle'],
    ['bundle', 'keygen'],
    ['bundle', 'export'],
    ['bundle', 'verify'],
    ['bundle', 'import'],
    ['audit'],
    ['audit', 'verify'],
  ]) {
    const r = run(...cmd, '--help');
    assert.equal(r.code, 0, cmd.join(' '));
    assert.match(r.out, /Usage: execguard/);
  }
});
