import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const main = join(root, 'packages', 'cli', 'dist', 'main.js');
const tmp = mkdtempSync(join(tmpdir(), 'execguard-audit-'));

function run(...args: string[]) {
  const r = spawnSync(process.execPath, [main, ...args], { cwd: tmp, encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const keys = join(tmp, 'keys');
assert.equal(run('bundle', 'keygen', '--out', keys).code, 0);
assert.equal(run('bundle', 'keygen', '--out', keys, '--name', 'other').code, 0);
const key = join(keys, 'execguard-signing.key');
const pub = join(keys, 'execguard-signing.pub');
const log = join(tmp, 'audit.jsonl');
for (let i = 1; i <= 6; i++) {
  const r = run(
    'audit',
    'append',
    '--log',
    log,
    '--actor',
    'alice',
    '--action',
    'exception.approve',
    '--subject',
    `exception/${i}`,
    '--details',
    `{"ticket":"CHG-${i}"}`,
    '--key',
    key,
    '--checkpoint-every',
    '3',
  );
  assert.equal(r.code, 0, r.err);
}
const text = readFileSync(log, 'utf8');
const lines = text.trimEnd().split('\n');

function variant(name: string, ls: string[]) {
  const f = join(tmp, name);
  writeFileSync(f, `${ls.join('\n')}\n`);
  return f;
}
const entryLine = (seq: number) => lines.findIndex((l) => l.startsWith(`{"seq":${seq},`));

test('audit verify: an intact export exits 0 (text and --json)', () => {
  const r = run('audit', 'verify', log, '--public-key', pub);
  assert.equal(r.code, 0, r.out + r.err);
  assert.match(r.out, /intact — 6 entries \(seq 1–6\), 2\/2 checkpoints valid/);
  const j = run('audit', 'verify', log, '--public-key', pub, '--json');
  const rep = JSON.parse(j.out);
  assert.equal(rep.intact, true);
  assert.equal(rep.head.seq, 6);
});

test('audit verify: each kind of tampering exits 1 and is named with its seq', () => {
  const modified = [...lines];
  modified[entryLine(2)] = modified[entryLine(2)]!.replace('CHG-2', 'CHG-X');
  const deleted = lines.filter((_, i) => i !== entryLine(2));
  const reordered = [...lines];
  [reordered[entryLine(4)], reordered[entryLine(5)]] = [reordered[entryLine(5)]!, reordered[entryLine(4)]!];
  const inserted = [...lines];
  inserted.splice(entryLine(3), 0, lines[entryLine(3)]!.replace('alice', 'mallory'));
  // Entries 5 and 6 removed but the checkpoint sealing 6 kept.
  const truncated = lines.filter((_, i) => i !== entryLine(5) && i !== entryLine(6));
  const forged = [...lines];
  const cpAt = lines.findIndex((l) => l.includes('"type":"checkpoint"'));
  const cp = JSON.parse(lines[cpAt]!);
  forged[cpAt] = JSON.stringify({ ...cp, seq: 2 });
  const cases: [string, string[], string, number[]][] = [
    ['modified', modified, 'modified', [2]],
    ['deleted', deleted, 'deleted', [2]],
    ['reordered', reordered, 'reordered', [4, 5]],
    ['inserted', inserted, 'inserted', [3]],
    ['truncated', truncated, 'truncated', [5]],
    ['forged', forged, 'forged-checkpoint', [2]],
  ];
  for (const [name, ls, kind, seqs] of cases) {
    const f = variant(`${name}.jsonl`, ls);
    const r = run('audit', 'verify', f, '--public-key', pub, '--json');
    assert.equal(r.code, 1, `${name}: ${r.out}${r.err}`);
    const rep = JSON.parse(r.out);
    assert.equal(rep.intact, false);
    assert.ok(
      rep.problems.some(
        (p: { kind: string; seq: number; toSeq?: number }) =>
          p.kind === kind && seqs.some((seq) => p.seq <= seq && seq <= (p.toSeq ?? p.seq)),
      ),
      `${name}: ${JSON.stringify(rep.problems)}`,
    );
    const t = run('audit', 'verify', f, '--public-key', pub);
    assert.equal(t.code, 1);
    assert.match(t.out, new RegExp(`TAMPERING FOUND[\\s\\S]*${kind}`));
  }
  // Verified with another key, every checkpoint looks forged.
  const wrong = run('audit', 'verify', log, '--public-key', join(keys, 'other.pub'));
  assert.equal(wrong.code, 1);
  assert.match(wrong.out, /forged-checkpoint/);
});

test('audit verify: unsealed tail is a warning, a problem with --strict', () => {
  const f = variant('tail.jsonl', lines.slice(0, entryLine(5) + 1));
  const r = run('audit', 'verify', f, '--public-key', pub);
  assert.equal(r.code, 0, r.out);
  assert.match(r.out, /warning: 2 entries after the last valid checkpoint/);
  assert.equal(run('audit', 'verify', f, '--public-key', pub, '--strict').code, 1);
});

test('audit verify: bad input exits 2', () => {
  const junk = join(tmp, 'junk.txt');
  writeFileSync(junk, 'this is not\nan audit export\n');
  const r = run('audit', 'verify', junk, '--public-key', pub);
  assert.equal(r.code, 2);
  assert.match(r.err, /E_MALFORMED/);
  assert.doesNotMatch(r.err, /\n\s+at /);
  assert.equal(run('audit', 'verify', join(tmp, 'missing.jsonl'), '--public-key', pub).code, 2);
  assert.equal(run('audit', 'verify', log, '--public-key', junk).code, 2);
  assert.equal(run('audit', 'verify', log).code, 2, '--public-key is required');
});
