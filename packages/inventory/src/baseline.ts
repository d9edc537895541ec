import type { FileRecord, FileType, InventoryRecord, SummaryRecord } from './types.js';

/**
 * A baseline: the approved software of a host (or role), built from one or more inventories.
 * Every entry starts `unverified`; `approve` records who vouched for it and when. It is the input
 * of `policy init` and the reference of the drift report.
 */
export interface BaselineEntry {
  readonly path: string;
  readonly sha256: string;
  readonly type: FileType;
  readonly size: number;
  readonly mode: string;
  readonly owner: string;
  /** Provenance: the package that installed it and whether its md5 matched dpkg's record. */
  readonly package?: { readonly manager: 'dpkg' | 'rpm'; readonly names: readonly string[]; readonly verified?: boolean };
  /** Authenticode signer (present, not validated) and the product from the version resource. */
  readonly signer?: {
    readonly subject: string;
    readonly product?: string;
    readonly originalFileName?: string;
    readonly fileVersion?: string;
  };
  readonly interpreter?: string;
  /** Non-root principals that can replace it (from the inventory): a weak allow-by-path target. */
  readonly writableBy?: readonly string[];
  readonly status: 'unverified' | 'approved';
  readonly approvedBy?: string;
  readonly approvedAt?: string;
}

export interface Baseline {
  readonly kind: 'execguard-baseline';
  readonly version: 1;
  readonly role?: string;
  readonly createdAt: string;
  readonly sources: ReadonlyArray<{
    readonly file: string;
    readonly roots: readonly string[];
    readonly scannedAt?: string;
    readonly host?: string;
  }>;
  readonly entries: readonly BaselineEntry[];
  readonly approvals: ReadonlyArray<{ readonly by: string; readonly at: string; readonly scope: string; readonly count: number }>;
}

export class BaselineError extends Error {
  override readonly name = 'BaselineError';
}

function writers(r: FileRecord): string[] {
  return [
    ...r.writableBy.users.map((u) => `user:${u}`),
    ...r.writableBy.groups.map((g) => `group:${g}`),
    ...(r.writableBy.other ? ['other'] : []),
  ];
}

export function entryFromRecord(r: FileRecord): BaselineEntry {
  const product = r.pe?.versionInfo?.ProductName;
  const originalFileName = r.pe?.versionInfo?.OriginalFilename;
  const fileVersion = r.pe?.versionInfo?.FileVersion;
  const w = writers(r);
  return {
    path: r.path,
    sha256: r.sha256,
    type: r.type,
    size: r.size,
    mode: r.mode,
    owner: r.owner ?? String(r.uid),
    ...(r.package
      ? {
          package: {
            manager: r.package.manager,
            names: r.package.names,
            ...(r.package.verified !== undefined ? { verified: r.package.verified } : {}),
          },
        }
      : {}),
    ...(r.pe?.signerSubject
      ? {
          signer: {
            subject: r.pe.signerSubject,
            ...(product ? { product } : {}),
            ...(originalFileName ? { originalFileName } : {}),
            ...(fileVersion ? { fileVersion } : {}),
          },
        }
      : {}),
    ...(r.script?.interpreter ? { interpreter: r.script.interpreter } : {}),
    ...(w.length > 0 ? { writableBy: w } : {}),
    status: 'unverified',
  };
}

export interface InventoryInput {
  readonly file: string;
  readonly records: readonly InventoryRecord[];
}

export function createBaseline(inputs: readonly InventoryInput[], role: string | undefined, now: Date): Baseline {
  const byKey = new Map<string, BaselineEntry>();
  const sources: Baseline['sources'][number][] = [];
  for (const input of inputs) {
    let summary: SummaryRecord | undefined;
    let host: string | undefined;
    let files = 0;
    for (const r of input.records) {
      if (r.kind === 'file') {
        files++;
        byKey.set(`${r.path}\0${r.sha256}`, entryFromRecord(r));
      } else if (r.kind === 'summary') summary = r;
      else if (r.kind === 'posture') host = r.host;
    }
    if (!summary)
      throw new BaselineError(`${input.file}: not a complete inventory (no summary record; was the scan interrupted?)`);
    if (files === 0) throw new BaselineError(`${input.file}: inventory records no files`);
    sources.push({ file: input.file, roots: summary.roots, scannedAt: summary.finishedAt, ...(host ? { host } : {}) });
  }
  const entries = [...byKey.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : a.sha256 < b.sha256 ? -1 : 1));
  return {
    kind: 'execguard-baseline',
    version: 1,
    ...(role ? { role } : {}),
    createdAt: now.toISOString(),
    sources,
    entries,
    approvals: [],
  };
}

export function parseBaseline(text: string, file: string): Baseline {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new BaselineError(`${file}: not valid JSON: ${(e as Error).message}`);
  }
  const b = doc as Partial<Baseline> | null;
  if (b?.kind !== 'execguard-baseline' || b.version !== 1 || !Array.isArray(b.entries)) {
    throw new BaselineError(`${file}: not an ExecGuard baseline (expected kind "execguard-baseline", version 1)`);
  }
  for (const [i, e] of b.entries.entries()) {
    if (typeof e?.path !== 'string' || !/^[0-9a-f]{64}$/.test(String(e?.sha256)))
      throw new BaselineError(`${file}: entries[${i}]: needs path and sha256`);
  }
  return b as Baseline;
}

/** Marks entries approved: all of them, or those with the given hashes (each hash must exist). */
export function approve(b: Baseline, by: string, scope: { all: true } | { sha256: readonly string[] }, now: Date): Baseline {
  if (!by.trim()) throw new BaselineError('--by: the approver name must not be empty');
  const at = now.toISOString();
  let wanted: Set<string> | undefined;
  if ('sha256' in scope) {
    wanted = new Set(scope.sha256.map((h) => h.toLowerCase()));
    const known = new Set(b.entries.map((e) => e.sha256));
    const missing = [...wanted].filter((h) => !known.has(h));
    if (missing.length > 0) throw new BaselineError(`no baseline entry has sha256 ${missing.join(', ')}`);
  }
  let count = 0;
  const entries = b.entries.map((e) => {
    if (wanted && !wanted.has(e.sha256)) return e;
    count++;
    return { ...e, status: 'approved' as const, approvedBy: by, approvedAt: at };
  });
  return {
    ...b,
    entries,
    approvals: [...b.approvals, { by, at, scope: wanted ? `sha256:${[...wanted].join(',')}` : 'all', count }],
  };
}

export interface DriftEntry {
  readonly path: string;
  readonly change: 'added' | 'removed' | 'changed';
  /** For changes: field → [before, after]. */
  readonly fields?: Readonly<Record<string, readonly [unknown, unknown]>>;
  readonly before?: string;
  readonly after?: string;
}

export interface DriftReport {
  readonly a: string;
  readonly b: string;
  readonly added: number;
  readonly removed: number;
  readonly changed: number;
  readonly drift: readonly DriftEntry[];
}

/** What a drift comparison looks at; taken from a baseline entry or an inventory file record alike. */
interface Comparable {
  readonly sha256: string;
  readonly type: string;
  readonly mode: string;
  readonly owner: string;
  readonly package?: string;
  readonly verified?: boolean;
  readonly signer?: string;
}

export function comparableFromEntry(e: BaselineEntry): Comparable {
  return {
    sha256: e.sha256,
    type: e.type,
    mode: e.mode,
    owner: e.owner,
    ...(e.package ? { package: e.package.names.join(',') } : {}),
    ...(e.package?.verified !== undefined ? { verified: e.package.verified } : {}),
    ...(e.signer ? { signer: e.signer.subject } : {}),
  };
}

export function comparableFromRecord(r: FileRecord): Comparable {
  return comparableFromEntry(entryFromRecord(r));
}

const FIELDS = ['sha256', 'type', 'mode', 'owner', 'package', 'verified', 'signer'] as const;

/** Files added, removed and changed between A and B, by path (a path listed twice keeps its last entry). */
export function diff(
  aName: string,
  a: ReadonlyMap<string, Comparable>,
  bName: string,
  b: ReadonlyMap<string, Comparable>,
): DriftReport {
  const drift: DriftEntry[] = [];
  const paths = [...new Set([...a.keys(), ...b.keys()])].sort();
  for (const path of paths) {
    const x = a.get(path);
    const y = b.get(path);
    if (!x && y) drift.push({ path, change: 'added', after: y.sha256 });
    else if (x && !y) drift.push({ path, change: 'removed', before: x.sha256 });
    else if (x && y) {
      const fields: Record<string, readonly [unknown, unknown]> = {};
      for (const f of FIELDS) if (x[f] !== y[f]) fields[f] = [x[f] ?? null, y[f] ?? null];
      if (Object.keys(fields).length > 0) drift.push({ path, change: 'changed', fields, before: x.sha256, after: y.sha256 });
    }
  }
  const count = (c: DriftEntry['change']) => drift.filter((d) => d.change === c).length;
  return { a: aName, b: bName, added: count('added'), removed: count('removed'), changed: count('changed'), drift };
}
