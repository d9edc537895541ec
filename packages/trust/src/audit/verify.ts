import type { KeyObject } from 'node:crypto';
import { isHex64 } from '../encoding.js';
import { type TrustedKey, toTrustedKeys } from '../keys.js';
import { type AuditEntry, auditEntryHash, GENESIS_HASH } from './chain.js';
import { type AuditCheckpoint, verifyCheckpoint } from './checkpoint.js';

export type AuditProblemKind =
  /** A record that is not an entry or checkpoint at all. */
  | 'malformed'
  /** An entry's content differs from what was chained or sealed. */
  | 'modified'
  /** Entries missing from the middle or the start. */
  | 'deleted'
  /** An entry that is not part of the chain (repeats a seq). */
  | 'inserted'
  /** Entries out of chain order. */
  | 'reordered'
  /** Entries missing after the end, below a signed checkpoint. */
  | 'truncated'
  /** A checkpoint whose signature does not verify with a trusted key. */
  | 'forged-checkpoint'
  /** (strict only) entries after the last valid checkpoint, which no signature covers. */
  | 'unsealed';

export interface AuditProblem {
  readonly kind: AuditProblemKind;
  /** The entry concerned, or the first of a range. */
  readonly seq?: number;
  /** Last seq of a range. */
  readonly toSeq?: number;
  /** Line in the export file, when verifying a file. */
  readonly line?: number;
  readonly message: string;
}

export interface AuditReport {
  /** No problem found. */
  readonly intact: boolean;
  readonly entries: number;
  readonly firstSeq: number | undefined;
  readonly lastSeq: number | undefined;
  /** Head of the chain as verified (last entry's seq and hash). */
  readonly head: { readonly seq: number; readonly hash: string } | undefined;
  readonly checkpoints: { readonly total: number; readonly valid: number; readonly lastSeq: number | undefined };
  /** Entries after the last valid checkpoint: nothing proves they were not appended or cut off. */
  readonly unsealed: number;
  readonly problems: readonly AuditProblem[];
  readonly warnings: readonly string[];
}

export interface AuditRecord {
  readonly value: unknown;
  readonly line?: number;
}

export interface VerifyAuditOptions {
  /** Entries not sealed by a checkpoint count as a problem ('unsealed'). */
  readonly strict?: boolean;
}

interface Cand {
  readonly e: AuditEntry;
  readonly pos: number;
  readonly line: number | undefined;
  readonly selfOk: boolean;
}

const ENTRY_KEYS = ['action', 'actor', 'details', 'hash', 'prevHash', 'seq', 'subject', 'time'].join(',');

function entryShape(v: unknown): string | undefined {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return 'not a JSON object';
  const x = v as Record<string, unknown>;
  // Every field is covered by the hash; an extra field would be unprotected data.
  if (Object.keys(x).sort().join(',') !== ENTRY_KEYS) return `keys must be exactly ${ENTRY_KEYS}`;
  if (!Number.isSafeInteger(x.seq) || (x.seq as number) < 1) return 'seq must be an integer >= 1';
  for (const k of ['time', 'actor', 'action', 'subject'] as const) if (typeof x[k] !== 'string') return `${k} must be a string`;
  if (typeof x.details !== 'object' || x.details === null || Array.isArray(x.details)) return 'details must be an object';
  if (!isHex64(x.prevHash) || !isHex64(x.hash)) return 'prevHash and hash must be 64 hex digits';
  return undefined;
}

function selfHashOk(e: AuditEntry): boolean {
  try {
    return auditEntryHash(e) === e.hash;
  } catch {
    return false; // not canonicalisable (e.g. lone surrogates): cannot be what was hashed
  }
}

/** Positions (indices into `seqs`) of one longest strictly increasing subsequence. */
function longestIncreasing(seqs: readonly number[]): Set<number> {
  const tails: number[] = []; // index into seqs of the smallest tail of each length
  const prev = new Array<number>(seqs.length).fill(-1);
  for (let i = 0; i < seqs.length; i++) {
    const v = seqs[i]!;
    let lo = 0;
    let hi = tails.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (seqs[tails[mid]!]! < v) lo = mid + 1;
      else hi = mid;
    }
    if (lo > 0) prev[i] = tails[lo - 1]!;
    tails[lo] = i;
  }
  const keep = new Set<number>();
  for (let i = tails.length > 0 ? tails[tails.length - 1]! : -1; i >= 0; i = prev[i]!) keep.add(i);
  return keep;
}

const range = (a: number, b: number) => (a === b ? `entry ${a}` : `entries ${a}–${b}`);

/**
 * Verifies a log given as entries and checkpoints in stored order. Reports every problem found,
 * each with its kind and seq:
 * - an entry whose content does not match its own hash, or whose successor was chained to a
 *   different hash, or that a signed checkpoint contradicts: modified;
 * - a seq missing between the first and last entry (or before the first): deleted;
 * - two entries with one seq: the one that is not linked into the chain is inserted;
 * - entries out of order: the fewest that explain the disorder are reordered;
 * - a signed checkpoint beyond the last entry: truncated;
 * - a checkpoint that does not verify: forged-checkpoint.
 * An attacker who rewrites entries and recomputes every later hash is caught by the next
 * checkpoint; what follows the last checkpoint is reported as `unsealed`, a warning unless strict.
 * A log may start after seq 1 when a valid checkpoint seals the entry before its first one (an
 * export of a range).
 */
export function verifyAuditLog(
  entries: readonly unknown[],
  checkpoints: readonly unknown[],
  keys: KeyObject | TrustedKey | readonly (KeyObject | TrustedKey)[],
  options: VerifyAuditOptions = {},
): AuditReport {
  return verifyAuditRecords(
    entries.map((value) => ({ value })),
    checkpoints.map((value) => ({ value })),
    keys,
    options,
  );
}

export function verifyAuditRecords(
  entryRecords: readonly AuditRecord[],
  checkpointRecords: readonly AuditRecord[],
  keys: KeyObject | TrustedKey | readonly (KeyObject | TrustedKey)[],
  options: VerifyAuditOptions = {},
): AuditReport {
  const trusted = toTrustedKeys(keys as readonly (KeyObject | TrustedKey)[]);
  const problems: AuditProblem[] = [];
  const warnings: string[] = [];
  const at = (line: number | undefined) => (line === undefined ? {} : { line });

  // 1. Shape; each entry's own hash.
  const cands: Cand[] = [];
  entryRecords.forEach((r, pos) => {
    const why = entryShape(r.value);
    if (why) {
      problems.push({
        kind: 'malformed',
        ...at(r.line),
        message: `record ${pos + 1}${r.line ? ` (line ${r.line})` : ''}: ${why}`,
      });
      return;
    }
    const e = r.value as AuditEntry;
    const selfOk = selfHashOk(e);
    if (!selfOk)
      problems.push({ kind: 'modified', seq: e.seq, ...at(r.line), message: `entry ${e.seq}: content does not match its hash` });
    cands.push({ e, pos, line: r.line, selfOk });
  });

  // 2. Checkpoints: signature first; a valid one is a fixed point the chain must pass through.
  const sealed = new Map<number, AuditCheckpoint>();
  for (const r of checkpointRecords) {
    const c = r.value as Partial<AuditCheckpoint> | null;
    const seq = typeof c?.seq === 'number' ? c.seq : undefined;
    if (!verifyCheckpoint(r.value, trusted)) {
      problems.push({
        kind: 'forged-checkpoint',
        ...(seq !== undefined ? { seq } : {}),
        ...at(r.line),
        message: `checkpoint${seq !== undefined ? ` at ${seq}` : ''}: signature does not verify with a trusted key`,
      });
      continue;
    }
    const other = sealed.get(r.value.seq);
    if (other && other.hash !== r.value.hash) {
      problems.push({
        kind: 'modified',
        seq: r.value.seq,
        ...at(r.line),
        message: `two signed checkpoints disagree about entry ${r.value.seq}: the log was forked`,
      });
    }
    sealed.set(r.value.seq, r.value);
  }

  const bySeq = new Map<number, Cand[]>();
  for (const c of cands) {
    const list = bySeq.get(c.e.seq);
    if (list) list.push(c);
    else bySeq.set(c.e.seq, [c]);
  }
  const seqs = [...bySeq.keys()].sort((a, b) => a - b);
  const minSeq = seqs[0];
  const maxSeq = seqs[seqs.length - 1];

  // 3. One genuine entry per seq: the one best linked into the chain (sealed, self-consistent,
  // chained to a predecessor, chained to by a successor). The others were inserted.
  const linkedFrom = (seq: number, hash: string) => (bySeq.get(seq + 1) ?? []).some((n) => n.e.prevHash === hash);
  const linksTo = (seq: number, prevHash: string) =>
    seq === 1
      ? prevHash === GENESIS_HASH
      : (bySeq.get(seq - 1) ?? []).some((p) => p.e.hash === prevHash) || sealed.get(seq - 1)?.hash === prevHash;
  const genuine = new Map<number, Cand>();
  for (const [seq, list] of bySeq) {
    let best = list[0]!;
    if (list.length > 1) {
      const score = (c: Cand) =>
        (sealed.get(seq)?.hash === c.e.hash ? 8 : 0) +
        (linkedFrom(seq, c.e.hash) ? 4 : 0) +
        (linksTo(seq, c.e.prevHash) ? 2 : 0) +
        (c.selfOk ? 1 : 0);
      for (const c of list) if (score(c) > score(best)) best = c;
      for (const c of list) {
        if (c === best) continue;
        problems.push({
          kind: 'inserted',
          seq,
          ...at(c.line),
          message: `an entry repeating seq ${seq} is not part of the chain (inserted)`,
        });
      }
    }
    genuine.set(seq, best);
  }

  // 4. Order: entries outside a longest in-order run were moved.
  const inFileOrder = [...genuine.values()].sort((a, b) => a.pos - b.pos);
  const keep = longestIncreasing(inFileOrder.map((c) => c.e.seq));
  inFileOrder.forEach((c, i) => {
    if (!keep.has(i))
      problems.push({ kind: 'reordered', seq: c.e.seq, ...at(c.line), message: `entry ${c.e.seq} is out of order` });
  });

  // 5. Start: seq 1 from genesis, or anchored on a valid checkpoint just before the first entry.
  let anchor: { seq: number; hash: string } | undefined;
  if (minSeq !== undefined) {
    const first = genuine.get(minSeq)!;
    if (minSeq === 1) anchor = { seq: 0, hash: GENESIS_HASH };
    else {
      const cp = sealed.get(minSeq - 1);
      if (cp && cp.hash === first.e.prevHash) anchor = { seq: cp.seq, hash: cp.hash };
      else {
        problems.push({ kind: 'deleted', seq: 1, toSeq: minSeq - 1, message: `${range(1, minSeq - 1)} missing from the start` });
      }
    }
  }

  // 6. Gaps and links, in seq order.
  if (minSeq !== undefined && maxSeq !== undefined) {
    let gapStart: number | undefined;
    for (let s = minSeq; s <= maxSeq + 1; s++) {
      const has = genuine.has(s) && s <= maxSeq;
      if (!has && s <= maxSeq) gapStart ??= s;
      if (has || s > maxSeq) {
        if (gapStart !== undefined) {
          problems.push({ kind: 'deleted', seq: gapStart, toSeq: s - 1, message: `${range(gapStart, s - 1)} missing` });
          gapStart = undefined;
        }
      }
    }
    for (const s of seqs) {
      const g = genuine.get(s)!;
      if (!g.selfOk) continue; // already reported; its stored fields are not trustworthy
      const pred = anchor && s === anchor.seq + 1 ? { hash: anchor.hash, confirmed: true } : undefined;
      const pc = genuine.get(s - 1);
      const p = pred ?? (pc ? { hash: pc.e.hash, confirmed: sealed.get(s - 1)?.hash === pc.e.hash } : undefined);
      if (!p || g.e.prevHash === p.hash) continue;
      // Either the predecessor was rewritten (and re-hashed) or this entry's link was: a checkpoint
      // on the predecessor says which.
      const blame = p.confirmed || s - 1 < 1 ? s : s - 1;
      problems.push({
        kind: 'modified',
        seq: blame,
        ...at(genuine.get(blame)?.line),
        message: `entry ${s} is not chained to entry ${s - 1} as stored: entry ${blame} was altered`,
      });
    }
  }

  // 7. Each valid checkpoint must match the entry it seals.
  const cps = [...sealed.values()].sort((a, b) => a.seq - b.seq);
  let prevCp = anchor?.seq ?? 0;
  let truncatedReported = false;
  for (const cp of cps) {
    const g = genuine.get(cp.seq);
    if (!g) {
      if ((maxSeq === undefined || cp.seq > maxSeq) && !truncatedReported) {
        const from = (maxSeq ?? 0) + 1;
        const last = cps[cps.length - 1]!.seq;
        problems.push({
          kind: 'truncated',
          seq: from,
          toSeq: last,
          message: `${range(from, last)} missing after the end (a signed checkpoint seals entry ${last})`,
        });
        truncatedReported = true;
      }
    } else if (g.e.hash !== cp.hash && !(anchor && cp.seq === anchor.seq)) {
      problems.push({
        kind: 'modified',
        seq: prevCp + 1,
        toSeq: cp.seq,
        ...at(g.line),
        message: `the checkpoint signed for entry ${cp.seq} does not match the log: ${range(prevCp + 1, cp.seq)} were rewritten`,
      });
    }
    prevCp = cp.seq;
  }

  const lastValid = cps.length > 0 ? cps[cps.length - 1]!.seq : undefined;
  const unsealed = maxSeq === undefined ? 0 : Math.max(0, maxSeq - (lastValid ?? 0));
  if (unsealed > 0) {
    const m = `${unsealed} entr${unsealed === 1 ? 'y' : 'ies'} after the last valid checkpoint${lastValid === undefined ? ' (there is none)' : ` (${lastValid})`}: nothing proves they were not added or that none were cut off`;
    if (options.strict) problems.push({ kind: 'unsealed', seq: (lastValid ?? 0) + 1, toSeq: maxSeq!, message: m });
    else warnings.push(m);
  }
  if (cands.length === 0) warnings.push('the log holds no entries');

  const headCand = maxSeq === undefined ? undefined : genuine.get(maxSeq);
  problems.sort((a, b) => (a.seq ?? 0) - (b.seq ?? 0));
  return {
    intact: problems.length === 0,
    entries: cands.length,
    firstSeq: minSeq,
    lastSeq: maxSeq,
    head: headCand ? { seq: headCand.e.seq, hash: headCand.e.hash } : undefined,
    checkpoints: { total: checkpointRecords.length, valid: sealed.size, lastSeq: lastValid },
    unsealed,
    problems,
    warnings,
  };
}
