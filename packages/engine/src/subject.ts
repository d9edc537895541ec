import type { ExecEvent, Provenance } from '@execguard/schema';
import { normalisePath } from './glob.js';

/** Something an identity can match: the program, its parent, an ancestor, or a script. */
export interface Subject {
  /** Forward-slash path, as recorded. */
  readonly path: string | undefined;
  /** Lower-case basename of the path (or the recorded process name). */
  readonly basename: string | undefined;
  /** Lower-case OriginalFileName without a trailing .mui. */
  readonly originalName: string | undefined;
  /** As recorded (compare with hashLookup/hashIn, which ignore case). */
  readonly sha256: string | undefined;
  readonly signature: SignatureFacts | undefined;
  readonly pkg: Provenance['package'] | undefined;
  readonly pathAdminOnly: boolean;
}

export interface SignatureFacts {
  readonly valid: boolean;
  readonly subject: string;
  readonly product: string | undefined;
  readonly version: string | undefined;
}

interface RawImage {
  executable?: string | undefined;
  path?: string | undefined;
  name?: string | undefined;
  hash?: { sha256?: string | undefined } | undefined;
  pe?: { original_file_name?: string | undefined; product?: string | undefined; file_version?: string | undefined } | undefined;
  code_signature?:
    | {
        subject_name?: string | undefined;
        signed?: boolean | undefined;
        trusted?: boolean | undefined;
        status?: string | undefined;
      }
    | undefined;
}

export function basenameOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? path : path.slice(i + 1);
}

export function dirnameOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i <= 0 ? (i === 0 ? '/' : '') : path.slice(0, i);
}

const UPPER = /[A-F]/;

/**
 * Looks a hex digest up in a lower-case keyed map or set. Digests almost always arrive lower-case,
 * so the digest is tried as is and lower-cased only on a miss (Sysmon writes upper-case).
 */
export function hashLookup<V>(table: ReadonlyMap<string, V>, digest: string): V | undefined {
  const hit = table.get(digest);
  return hit !== undefined || !UPPER.test(digest) ? hit : table.get(digest.toLowerCase());
}

export function hashIn(table: ReadonlySet<string>, digest: string): boolean {
  return table.has(digest) || (UPPER.test(digest) && table.has(digest.toLowerCase()));
}

const stripMui = (n: string) => (n.endsWith('.mui') ? n.slice(0, -4) : n);

/** Path and lower-case basename, when the caller already has them (the program's path facts). */
export interface KnownPath {
  readonly path: string;
  readonly basename: string;
}

/** Every subject has this one shape (identity matching stays monomorphic); see fillSubject. */
export class SubjectRecord implements Subject {
  path: string | undefined = undefined;
  basename: string | undefined = undefined;
  originalName: string | undefined = undefined;
  sha256: string | undefined = undefined;
  signature: SignatureFacts | undefined = undefined;
  pkg: Provenance['package'] | undefined = undefined;
  pathAdminOnly = false;
}

export function subjectOf(
  image: RawImage,
  provenance: Provenance | undefined,
  pathOverride?: string,
  known?: KnownPath,
): Subject {
  return fillSubject(new SubjectRecord(), image, provenance, pathOverride, known);
}

/** Sets every field of `t` from the image (a record may be refilled; nothing of the last image stays). */
export function fillSubject(
  t: SubjectRecord,
  image: RawImage,
  provenance: Provenance | undefined,
  pathOverride?: string,
  known?: KnownPath,
): SubjectRecord {
  const raw = pathOverride ?? image.executable ?? image.path;
  const path = known ? known.path : raw ? (raw.includes('\\') ? normalisePath(raw) : raw) : undefined;
  const base = known ? known.basename : path ? basenameOf(path) : image.name;
  const ofn = image.pe?.original_file_name;
  const cs = image.code_signature;
  t.path = path;
  t.basename = known ? known.basename : base ? base.toLowerCase() : undefined;
  // A Linux file's second name is the host file it is a copy of (the agent finds it by content).
  t.originalName = ofn ? stripMui(ofn.trim().toLowerCase()) : provenance?.content_name?.toLowerCase();
  t.sha256 = image.hash?.sha256;
  t.signature =
    cs?.subject_name !== undefined
      ? {
          valid: cs.signed === true && cs.trusted !== false && (cs.status === undefined || cs.status.toLowerCase() === 'valid'),
          subject: cs.subject_name.trim().toLowerCase(),
          product: image.pe?.product?.trim().toLowerCase(),
          version: image.pe?.file_version,
        }
      : undefined;
  t.pkg = provenance?.package;
  t.pathAdminOnly = provenance?.path_admin_only === true;
  return t;
}

export function programSubject(event: ExecEvent, known?: KnownPath): Subject {
  return subjectOf(event.process, event.execguard?.process, undefined, known);
}

export function parentSubject(event: ExecEvent): Subject | undefined {
  const p = event.process.parent;
  return p ? subjectOf(p, event.execguard?.parent) : undefined;
}

export function ancestorSubjects(event: ExecEvent): Subject[] {
  return (event.execguard?.ancestors ?? []).map((a) => subjectOf(a, undefined));
}
