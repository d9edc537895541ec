import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const main = join(root, 'packages', 'cli', 'dist', 'main.js');
const gatewayPolicy = join(root, 'examples', 'policies', 'linux-gateway.yaml');
const gatewayEvents = join(root, 'examples', 'events', 'linux-gateway.jsonl');
const tmp = mkdtempSync(join(tmpdir(), 'execguard-cli-'));

function run(args: string[], input?: string) {
  const r = spawnSync(process.execPath, [main, ...args], { cwd: root, encoding: 'utf8', input: input ?? '' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}
const noStack = (text: string) => assert.doesNotMatch(text, /\n\s+at .+\(.*:\d+:\d+\)/, 'no stack trace for user errors');

test('every command has --help and exits 0', () => {
  for (const cmd of [[], ['policy'], ['policy', 'validate'], ['policy', 'schema'], ['policy', 'test'], ['decide'], ['start']]) {
    const r = run([...cmd, '--help']);
    assert.equal(r.code, 0, `${cmd.join(' ')} --help: ${r.err}`);
    assert.match(r.out, /Usage: execguard/);
  }
  assert.match(run(['--help']).out, /Exit codes/);
});

test('usage errors exit 2', () => {
  assert.equal(run(['no-such-command']).code, 2);
  assert.equal(run(['decide', '--policy', gatewayPolicy]).code, 2, 'missing --event');
  assert.equal(run(['policy', 'validate', '--bogus', gatewayPolicy]).code, 2);
  const missing = run(['policy', 'validate', join(tmp, 'nope.yaml')]);
  assert.equal(missing.code, 2);
  assert.match(missing.err, /nope\.yaml: cannot read \(ENOENT\)/);
  noStack(missing.err);
});

test('policy validate: valid exits 0; invalid exits 2 listing each problem with file:line', () => {
  const ok = run(['policy', 'validate', gatewayPolicy]);
  assert.equal(ok.code, 0, ok.err);
  assert.match(ok.out, /valid — linux-gateway v7/);
  const bad = join(tmp, 'bad.yaml');
  writeFileSync(
    bad,
    readFileSync(gatewayPolicy, 'utf8')
      .replace('approver: plant-owner.line1', 'approver: J.Meyer')
      .replace('mode: enforce\n    failMode: open', 'mode: enforced\n    failMode: open'),
  );
  const r = run(['policy', 'validate', bad]);
  assert.equal(r.code, 2);
  assert.match(r.err, /bad\.yaml:\d+:\d+: \/scopes\/0\/mode: must be one of/);
  noStack(r.err);
  const json = run(['policy', 'validate', bad, '--json']);
  assert.equal(json.code, 2);
  const parsed = JSON.parse(json.out);
  assert.equal(parsed.valid, false);
  assert.ok(parsed.issues.every((i: { line: number }) => i.line > 0));
  // Fix the schema problem: the semantic problem (same approver) is reported with its line.
  writeFileSync(bad, readFileSync(gatewayPolicy, 'utf8').replace('approver: plant-owner.line1', 'approver: J.Meyer'));
  const r2 = run(['policy', 'validate', bad]);
  assert.equal(r2.code, 2);
  assert.match(r2.err, /bad\.yaml:\d+:\d+: \/exceptions\/0\/approver: .*different person must approve \[E_SAME_APPROVER\]/);
});

test('policy schema prints the JSON Schema', () => {
  const r = run(['policy', 'schema']);
  assert.equal(r.code, 0);
  const schema = JSON.parse(r.out);
  assert.equal(schema.title, 'ExecGuard policy v1');
});

test('policy test: stored cases pass (0); a wrong expectation fails (1) and says why', () => {
  const ok = run(['policy', 'test', gatewayPolicy, '--json']);
  assert.equal(ok.code, 0, ok.out + ok.err);
  const res = JSON.parse(ok.out);
  assert.ok(res.passed >= 10);
  assert.equal(res.failed, 0);
  const wrong = join(tmp, 'wrong.yaml');
  writeFileSync(
    wrong,
    readFileSync(gatewayPolicy, 'utf8').replace(
      'expect: { verdict: allow, effect: allowed, ruleId: allow-debian-packages }',
      'expect: { verdict: allow, effect: allowed, ruleId: allow-gateway-daemon }',
    ),
  );
  const r = run(['policy', 'test', wrong]);
  assert.equal(r.code, 1);
  assert.match(r.out, /FAIL {2}packaged program runs\n\s+ruleId: expected "allow-gateway-daemon", got "allow-debian-packages"/);
});

test('decide: one decision per event, deny exits 1, explain adds the trace', () => {
  const r = run([
    'decide',
    '--policy',
    gatewayPolicy,
    '--event',
    gatewayEvents,
    '--json',
    '--hosts',
    join(root, 'examples', 'hosts.yaml'),
    '--now',
    '2026-12-01T00:00:00Z',
  ]);
  assert.equal(r.code, 1, r.err);
  const lines = r.out
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  const inputs = readFileSync(gatewayEvents, 'utf8').trim().split('\n').length;
  assert.equal(lines.length, inputs);
  const byPid = new Map(lines.map((l) => [l.process.pid, l.execguard.decision]));
  assert.equal(byPid.get(4101).effect, 'allowed');
  assert.equal(byPid.get(4122).effect, 'denied');
  assert.equal(byPid.get(4131).ruleId, 'builtin:loader-invocation');
  assert.equal(byPid.get(5120).effect, 'would-deny', 'line 2 is in audit mode');
  const text = run([
    'decide',
    '--policy',
    gatewayPolicy,
    '--event',
    gatewayEvents,
    '--hosts',
    join(root, 'examples', 'hosts.yaml'),
    '--explain',
  ]);
  assert.match(text.out, /DENY \(enforced\)/);
  assert.match(text.out, /WOULD-DENY \(not enforced\)/);
  assert.match(text.out, /trace:\n\s+\[scope\]/);
});

test('decide: reads stdin; a bad line is reported with its number and the rest are still decided', () => {
  const good = readFileSync(gatewayEvents, 'utf8').trim().split('\n');
  const input = [good[0], '{not json', '{"process": {"pid": "x"}}', good[1]].join('\n');
  const r = run(['decide', '--policy', gatewayPolicy, '--event', '-', '--json'], input);
  assert.equal(r.code, 2);
  assert.match(r.err, /-:2: not valid JSON/);
  assert.match(r.err, /-:3: \/process\/pid: must be integer/);
  assert.equal(r.out.trim().split('\n').length, 2);
  noStack(r.err);
});

test('decide: a JSON array document works too', () => {
  const events = readFileSync(gatewayEvents, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  const file = join(tmp, 'events.json');
  writeFileSync(file, JSON.stringify(events, null, 2));
  const r = run(['decide', '--policy', gatewayPolicy, '--event', file, '--json']);
  assert.equal(r.out.trim().split('\n').length, events.length, r.err);
});

test('start runs the example job: checks, server with the console on SQLite, seeded data (--once)', () => {
  const data = mkdtempSync(join(tmpdir(), 'execguard-start-'));
  try {
    const r = run(['start', '--once', '--no-agent', '--json', '--data', data, '--port', '0']);
    assert.equal(r.code, 0, r.err);
    const s = JSON.parse(r.out.trim().split('\n').at(-1) as string);
    assert.ok(s.policies.length >= 2);
    assert.ok(s.policies.every((p: { failed: number; tests: number }) => p.failed === 0 && p.tests > 0));
    assert.equal(s.healthy, true);
    assert.ok(s.seeded > 0, 'sample events were uploaded on the first start');
    assert.match(readFileSync(join(data, 'admin-token'), 'utf8'), /^egt_/);
    assert.equal(statSync(join(data, 'admin-token')).mode & 0o077, 0, 'the admin token file is private');
  } finally {
    rmSync(data, { recursive: true, force: true });
  }
});

test('agent run --memfd-noexec raises vm.memfd_noexec before anything else (in its own PID namespace)', {
  skip:
    spawnSync('unshare', ['--pid', '--fork', 'true']).status !== 0
      ? 'cannot create a PID namespace (needs root)'
      : spawnSync('test', ['-e', '/proc/sys/vm/memfd_noexec']).status !== 0
        ? 'the kernel has no vm.memfd_noexec'
        : false,
}, () => {
  const host = readFileSync('/proc/sys/vm/memfd_noexec', 'utf8');
  // A missing policy stops the agent right after the hardening step (exit 2); the setting belongs
  // to the PID namespace unshare made, so the host keeps its own.
  const script = `${JSON.stringify(process.execPath)} ${JSON.stringify(main)} agent run --memfd-noexec --policy /nonexistent.yaml; echo "exit=$?"; cat /proc/sys/vm/memfd_noexec`;
  const r = spawnSync('unshare', ['--pid', '--fork', 'sh', '-c', script], { encoding: 'utf8' });
  assert.match(r.stderr, Number(host) < 2 ? /vm\.memfd_noexec raised from \d to 2/ : /vm\.memfd_noexec is 2 already/);
  assert.match(r.stdout, /exit=2\n2\n/);
  assert.equal(readFileSync('/proc/sys/vm/memfd_noexec', 'utf8'), host);
});
