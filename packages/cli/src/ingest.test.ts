import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const main = join(root, 'packages', 'cli', 'dist', 'main.js');
const sources = join(root, 'packages', 'telemetry', 'src', 'sources');
const auditd = join(sources, 'auditd', 'fixtures', 'record-execve.txt');
const sysmonEvtx = join(sources, 'sysmon', 'fixtures', 'sysmon-1-process-create.evtx');
const nxlog = join(sources, 'security-4688', 'fixtures', 'nxlog-4688.json');
const tmp = mkdtempSync(join(tmpdir(), 'execguard-ingest-'));

function run(args: string[]) {
  const r = spawnSync(process.execPath, [main, ...args], { cwd: root, encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

test('ingest --help documents the exit codes', () => {
  const r = run(['ingest', '--help']);
  assert.equal(r.code, 0);
  assert.match(r.out, /Exit codes: 0 ok; 1 --policy denied/);
});

test('ingest streams a mix of formats in input order with traceability, summary on stderr', () => {
  const r = run(['ingest', auditd, sysmonEvtx, nxlog, '--json']);
  assert.equal(r.code, 0, r.err);
  const events = r.out
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  const formats = events.map((e) => e.execguard.source_format);
  assert.deepEqual([...new Set(formats)], ['auditd', 'evtx', 'nxlog'], 'files in argument order');
  assert.ok(events.every((e) => e.log.file.path && (e.log.file.line || e.log.offset)));
  assert.deepEqual(events[0].process.args, ['whoami']);
  const summary = JSON.parse(r.err.trim().split('\n').pop() ?? '');
  assert.equal(summary.events, events.length);
  assert.equal(summary.byFormat.nxlog, 3);
});

test('ingest: unreadable and malformed input exits 2 and reports file:line, other records still emitted', () => {
  const bad = join(tmp, 'bad.log');
  writeFileSync(bad, `${readFileSync(auditd, 'utf8')}type=EXECVE garbage\n`);
  const r = run(['ingest', bad, join(tmp, 'missing.log')]);
  assert.equal(r.code, 2);
  assert.match(r.err, /bad\.log:8: not an audit record/);
  assert.match(r.err, /missing\.log: cannot read \(ENOENT\)/);
  assert.equal(r.out.trim().split('\n').length, 1);
});

test('ingest --baseline marks known, changed and new programs; --out writes the events there', () => {
  const baseline = join(tmp, 'baseline.jsonl');
  const out = join(tmp, 'out.jsonl');
  const first = JSON.parse(run(['ingest', sysmonEvtx]).out.split('\n')[0] ?? '');
  writeFileSync(baseline, `${JSON.stringify({ path: first.process.executable, sha256: first.process.hash.sha256 })}\n`);
  const r = run(['ingest', sysmonEvtx, '--baseline', baseline, '--out', out]);
  assert.equal(r.code, 0, r.err);
  assert.equal(r.out, '');
  const statuses = readFileSync(out, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l).execguard.baseline);
  assert.equal(statuses[0], 'known');
  assert.ok(statuses.slice(1).every((s) => s === 'new' || s === 'known'));
  writeFileSync(baseline, `${JSON.stringify({ path: first.process.executable, sha256: '0'.repeat(64) })}\n`);
  const changed = run(['ingest', sysmonEvtx, '--baseline', baseline]);
  assert.equal(JSON.parse(changed.out.split('\n')[0] ?? '').execguard.baseline, 'changed');
});

test('ingest --format rejects unknown names with exit 2', () => {
  assert.equal(run(['ingest', auditd, '--format', 'bogus']).code, 2);
});

test('ingest --policy attaches each decision and exits 1 on a deny; without --policy no decision and exit 0', () => {
  const deny = join(tmp, 'deny.yaml');
  writeFileSync(
    deny,
    [
      'apiVersion: execguard.io/v1',
      'kind: Policy',
      'metadata: { name: ingest-test, version: 1 }',
      'defaults: { mode: enforce, failMode: open }',
      'rules:',
      '  - id: no-whoami',
      '    action: deny',
      '    match: { program: { name: [whoami] } }',
      '',
    ].join('\n'),
  );
  const denied = run(['ingest', auditd, '--policy', deny]);
  assert.equal(denied.code, 1, denied.err);
  const ev = JSON.parse(denied.out.trim().split('\n')[0] ?? '');
  assert.equal(ev.process.name, 'whoami');
  assert.equal(ev.execguard.decision.verdict, 'deny');
  assert.equal(ev.execguard.decision.ruleId, 'no-whoami');
  assert.equal(ev.execguard.decision.policy.name, 'ingest-test');
  assert.equal(ev.log.file.line, 1, 'decided events keep their traceability fields');

  const plain = run(['ingest', auditd]);
  assert.equal(plain.code, 0, plain.err);
  assert.equal(JSON.parse(plain.out.trim().split('\n')[0] ?? '').execguard.decision, undefined);
});

test('ingest runs the detectors: threat.technique on events and per-technique counts in the summary', () => {
  const r = run(['ingest', nxlog, sysmonEvtx, '--json']);
  assert.equal(r.code, 0, r.err);
  const events = r.out
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  const summary = JSON.parse(r.err.trim().split('\n').pop() ?? '');
  const tagged: Record<string, number> = {};
  for (const e of events) {
    const t = e.threat?.technique;
    if (!t) continue;
    assert.equal(t.id.length, t.reason.length, 'one reason per technique id');
    for (const id of t.id) tagged[id] = (tagged[id] ?? 0) + 1;
  }
  assert.deepEqual(summary.byTechnique, tagged);
});
