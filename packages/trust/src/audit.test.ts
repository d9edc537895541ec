import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  AuditChain,
  type AuditCheckpoint,
  type AuditEntry,
  AuditFileStore,
  type AuditProblemKind,
  type AuditReport,
  auditEntryHash,
  formatAuditExport,
  GENESIS_HASH,
  generateSigningKey,
  isTrustError,
  nextAuditEntry,
  signCheckpoint,
  verifyAuditExport,
  verifyAuditLog,
} from './index.js';
import { T0 } from './test-helpers.js';

const key = generateSigningKey();
const N = 20;
const EVERY = 5;

/** A log of N entries with a checkpoint after every EVERY. */
function build(): { entries: AuditEntry[]; checkpoints: AuditCheckpoint[] } {
  const chain = new AuditChain();
  const entries: AuditEntry[] = [];
  const checkpoints: AuditCheckpoint[] = [];
  for (let i = 1; i <= N; i++) {
    entries.push(
      chain.append({
        actor: i % 2 ? 'alice' : 'bob',
        action: 'exception.approve',
        subject: `exception/${i}`,
        details: { ticket: `CHG-${i}` },
        time: T0 + i * 1000,
      }),
    );
    if (i % EVERY === 0) checkpoints.push(signCheckpoint(chain.head, key.privateKey, T0 + i * 1000));
  }
  return { entries, checkpoints };
}

/** Recomputes every hash from index `from` on, as an attacker covering their tracks would. */
function rechain(entries: AuditEntry[], from: number): AuditEntry[] {
  const out = entries.slice(0, from);
  for (let i = from; i < entries.length; i++) {
    const prev = out[i - 1];
    const e = { ...entries[i]!, seq: i + 1, prevHash: prev ? prev.hash : GENESIS_HASH };
    out.push({ ...e, hash: auditEntryHash(e) });
  }
  return out;
}

const kinds = (r: AuditReport) => r.problems.map((p) => `${p.kind}@${p.seq}${p.toSeq !== undefined ? `-${p.toSeq}` : ''}`);
function expectProblem(r: AuditReport, kind: AuditProblemKind, seq: number) {
  assert.equal(r.intact, false, 'tampering must be found');
  assert.ok(
    r.problems.some(
      (p) =>
        p.kind === kind && (p.seq === seq || (p.seq !== undefined && p.toSeq !== undefined && p.seq <= seq && seq <= p.toSeq)),
    ),
    `expected ${kind} at ${seq}, got ${kinds(r).join(', ')}`,
  );
}

test('an untouched log is intact; head and counts are reported', () => {
  const { entries, checkpoints } = build();
  const r = verifyAuditLog(entries, checkpoints, key.publicKey);
  assert.deepEqual(r.problems, []);
  assert.equal(r.intact, true);
  assert.equal(r.entries, N);
  assert.deepEqual(r.head, { seq: N, hash: entries[N - 1]!.hash });
  assert.deepEqual(r.checkpoints, { total: N / EVERY, valid: N / EVERY, lastSeq: N });
  assert.equal(r.unsealed, 0);
  assert.deepEqual(r.warnings, []);
});

test('modified entry (hash left as it was) is found at its seq', () => {
  const { entries, checkpoints } = build();
  entries[6] = { ...entries[6]!, actor: 'mallory' };
  const r = verifyAuditLog(entries, checkpoints, key.publicKey);
  expectProblem(r, 'modified', 7);
  assert.equal(r.problems.length, 1, kinds(r).join());
});

test('modified entry with its own hash recomputed: the broken link names it', () => {
  const { entries, checkpoints } = build();
  const e = { ...entries[6]!, details: { ticket: 'CHG-FORGED' } };
  entries[6] = { ...e, hash: auditEntryHash(e) };
  const r = verifyAuditLog(entries, checkpoints, key.publicKey);
  expectProblem(r, 'modified', 7);
});

test('modified entry with the whole chain after it recomputed: the next signed checkpoint catches it', () => {
  const { entries, checkpoints } = build();
  entries[6] = { ...entries[6]!, action: 'exception.revoke' };
  const r = verifyAuditLog(rechain(entries, 6), checkpoints, key.publicKey);
  expectProblem(r, 'modified', 7);
  const first = r.problems.find((p) => p.kind === 'modified')!;
  assert.deepEqual([first.seq, first.toSeq], [6, 10], 'range between the last matching and the first failing checkpoint');
});

test('deleted entry is found; deleting and renumbering is caught by the checkpoints', () => {
  const { entries, checkpoints } = build();
  const gap = entries.filter((e) => e.seq !== 7);
  expectProblem(verifyAuditLog(gap, checkpoints, key.publicKey), 'deleted', 7);
  const twoGone = entries.filter((e) => e.seq !== 7 && e.seq !== 8);
  const r2 = verifyAuditLog(twoGone, checkpoints, key.publicKey);
  assert.ok(
    r2.problems.some((p) => p.kind === 'deleted' && p.seq === 7 && p.toSeq === 8),
    kinds(r2).join(),
  );
  const renumbered = rechain(gap, 6);
  const r = verifyAuditLog(renumbered, checkpoints, key.publicKey);
  expectProblem(r, 'modified', 7);
  expectProblem(r, 'truncated', N);
  // The first entry removed.
  expectProblem(verifyAuditLog(entries.slice(1), checkpoints, key.publicKey), 'deleted', 1);
});

test('inserted entry is found (before or after the genuine one), and the genuine one is kept', () => {
  const { entries, checkpoints } = build();
  const forged = nextAuditEntry(
    { seq: 7, hash: entries[6]!.hash },
    { actor: 'mallory', action: 'token.create', subject: 'token/backdoor', time: T0 },
  );
  const withInsert = [...entries.slice(0, 7), forged, ...entries.slice(7)];
  const r = verifyAuditLog(withInsert, checkpoints, key.publicKey);
  expectProblem(r, 'inserted', 8);
  assert.equal(r.problems.length, 1, kinds(r).join());
  // Inserted after the genuine one.
  const after = [...entries.slice(0, 8), forged, ...entries.slice(8)];
  const r2 = verifyAuditLog(after, checkpoints, key.publicKey);
  expectProblem(r2, 'inserted', 8);
  assert.ok(!r2.problems.some((p) => p.kind === 'reordered'), kinds(r2).join());
  assert.deepEqual(r2.head, r.head);
});

test('reordered entries are found', () => {
  const { entries, checkpoints } = build();
  const swapped = [...entries];
  [swapped[6], swapped[7]] = [swapped[7]!, swapped[6]!];
  const r = verifyAuditLog(swapped, checkpoints, key.publicKey);
  assert.equal(r.intact, false);
  assert.ok(
    r.problems.every((p) => p.kind === 'reordered'),
    kinds(r).join(),
  );
  assert.ok(r.problems.some((p) => p.seq === 7 || p.seq === 8));
  // One entry moved to the very end: only it is named.
  const moved = [...entries.filter((e) => e.seq !== 3), entries[2]!];
  const r2 = verifyAuditLog(moved, checkpoints, key.publicKey);
  assert.deepEqual(kinds(r2), ['reordered@3']);
});

test('truncation below a signed checkpoint is found; after the last one it is reported as unsealed', () => {
  const { entries, checkpoints } = build();
  const r = verifyAuditLog(entries.slice(0, 17), checkpoints, key.publicKey);
  expectProblem(r, 'truncated', 18);
  assert.ok(r.problems.some((p) => p.kind === 'truncated' && p.seq === 18 && p.toSeq === 20));
  // Cut together with the checkpoints after it (file truncated): nothing signed says more existed.
  const cut = verifyAuditLog(entries.slice(0, 17), checkpoints.slice(0, 3), key.publicKey);
  assert.equal(cut.intact, true);
  assert.equal(cut.unsealed, 2);
  assert.match(cut.warnings.join(), /2 entries after the last valid checkpoint/);
  const strict = verifyAuditLog(entries.slice(0, 17), checkpoints.slice(0, 3), key.publicKey, { strict: true });
  expectProblem(strict, 'unsealed', 16);
});

test('forged checkpoints are found: wrong key, altered hash, altered seq', () => {
  const { entries, checkpoints } = build();
  const mallory = generateSigningKey();
  const rewritten = rechain(
    entries.map((e) => (e.seq === 3 ? { ...e, actor: 'mallory' } : e)),
    2,
  );
  // The attacker rewrites from 3 and re-signs every checkpoint with their own key.
  const theirs = [5, 10, 15, 20].map((s) => signCheckpoint({ seq: s, hash: rewritten[s - 1]!.hash }, mallory.privateKey, T0));
  const r = verifyAuditLog(rewritten, theirs, key.publicKey);
  expectProblem(r, 'forged-checkpoint', 5);
  assert.equal(r.checkpoints.valid, 0);
  const altered = checkpoints.map((c) => (c.seq === 10 ? { ...c, hash: rewritten[9]!.hash } : c));
  expectProblem(verifyAuditLog(entries, altered, key.publicKey), 'forged-checkpoint', 10);
  const reseq = checkpoints.map((c) => (c.seq === 10 ? { ...c, seq: 11 } : c));
  expectProblem(verifyAuditLog(entries, reseq, key.publicKey), 'forged-checkpoint', 11);
  expectProblem(verifyAuditLog(entries, [{ type: 'checkpoint', seq: 5 }], key.publicKey), 'forged-checkpoint', 5);
});

test('an export of a range is anchored on the checkpoint before it', () => {
  const { entries, checkpoints } = build();
  const tail = entries.slice(10);
  assert.equal(verifyAuditLog(tail, checkpoints.slice(1), key.publicKey).intact, true);
  expectProblem(verifyAuditLog(tail, checkpoints.slice(2), key.publicKey), 'deleted', 1);
});

test('export text: round trip, malformed lines, not an export', () => {
  const { entries, checkpoints } = build();
  const records = [...entries.slice(0, 5), checkpoints[0]!, ...entries.slice(5)];
  const text = formatAuditExport(records);
  const r = verifyAuditExport(text, [key.publicKey]);
  assert.equal(r.intact, true, kinds(r).join());
  assert.equal(r.checkpoints.valid, 1);
  assert.equal(verifyAuditExport(text.replace(/\n/g, '\r\n'), key.publicKey).intact, true);
  const lines = text.split('\n');
  lines[3] = '{"seq": 4, oops';
  const bad = verifyAuditExport(lines.join('\n'), key.publicKey);
  assert.ok(
    bad.problems.some((p) => p.kind === 'malformed' && p.line === 4),
    kinds(bad).join(),
  );
  expectProblem(bad, 'deleted', 4);
  lines[3] = JSON.stringify({ ...entries[3]!, note: 'unhashed extra field' });
  assert.ok(verifyAuditExport(lines.join('\n'), key.publicKey).problems.some((p) => p.kind === 'malformed' && p.line === 4));
  for (const junk of ['', '\n\n', 'hello\nworld', Buffer.from([0xff, 0xfe, 0x00])]) {
    assert.throws(
      () => verifyAuditExport(junk, key.publicKey),
      (e) => isTrustError(e, 'E_MALFORMED'),
    );
  }
});

test('AuditChain validates input and copies details', () => {
  const chain = new AuditChain();
  for (const bad of [
    { actor: '', action: 'a', subject: 's' },
    { actor: 'a', action: 'a', subject: 's', time: 'never' },
    { actor: 'a', action: 'a', subject: 's', details: [] as never },
    { actor: 'a', action: 'a', subject: 's', details: { when: new Date() } },
  ]) {
    assert.throws(
      () => chain.append(bad),
      (e) => isTrustError(e, 'E_INVALID_INPUT'),
      JSON.stringify(bad),
    );
  }
  assert.equal(chain.head.seq, 0, 'failed appends do not advance the head');
  const details = { n: 1 };
  const e = chain.append({ actor: 'a', action: 'b', subject: 'c', details });
  details.n = 2;
  assert.equal(e.details.n, 1);
  assert.equal(auditEntryHash(e), e.hash);
  assert.equal(e.prevHash, GENESIS_HASH);
});

test('file store: append-only JSONL with periodic and on-demand checkpoints, continues after reopen', () => {
  const dir = mkdtempSync(join(tmpdir(), 'eg-audit-'));
  const path = join(dir, 'audit.jsonl');
  const s1 = AuditFileStore.open(path, { signingKey: key.privateKey, checkpointEvery: 3 });
  for (let i = 0; i < 4; i++) s1.append({ actor: 'svc', action: 'policy.publish', subject: `policy/p@${i}` });
  assert.throws(
    () => AuditFileStore.open(path),
    (e) => isTrustError(e, 'E_LOCKED'),
    'one writer at a time',
  );
  s1.close();
  const s2 = AuditFileStore.open(path, { signingKey: key.privateKey, checkpointEvery: 3 });
  assert.equal(s2.head.seq, 4);
  s2.append({ actor: 'svc', action: 'mode.change', subject: 'group/line1', details: { to: 'enforce' } });
  s2.checkpoint();
  s2.close();
  const text = readFileSync(path, 'utf8');
  assert.equal(text.split('\n').filter((l) => l.includes('"checkpoint"')).length, 2);
  const r = verifyAuditExport(text, key.publicKey, { strict: true });
  assert.equal(r.intact, true, kinds(r).join());
  assert.equal(r.lastSeq, 5);

  // A torn last line (crash mid-write, never acknowledged) is cut off on open.
  appendFileSync(path, '{"seq":6,"time":"20');
  const s3 = AuditFileStore.open(path);
  assert.ok(s3.recoveredBytes > 0);
  assert.equal(s3.append({ actor: 'svc', action: 'x', subject: 'y' }).seq, 6);
  s3.close();
  assert.equal(verifyAuditExport(readFileSync(path), key.publicKey).intact, true);

  // A last entry that was altered is not continued (that would bless the alteration).
  writeFileSync(path, readFileSync(path, 'utf8').replace('"subject":"y"', '"subject":"z"'));
  assert.throws(
    () => AuditFileStore.open(path),
    (e) => isTrustError(e, 'E_AUDIT_CORRUPT'),
  );
  const keyless = AuditFileStore.open(join(dir, 'new.jsonl'));
  assert.throws(
    () => keyless.checkpoint(),
    (e) => isTrustError(e, 'E_KEY'),
  );
  keyless.close();
});
