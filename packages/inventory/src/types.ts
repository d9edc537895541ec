/**
 * Inventory output format: JSON lines. Every line is one object with a `kind`:
 *   - "file":    one executable, shared library, script, PE file or installer (FileRecord)
 *   - "symlink": a symbolic link met during the walk, with its target (never followed out of scope)
 *   - "error":   a path that could not be read; the scan continues
 *   - "posture": host posture (Linux), once per scan
 *   - "summary": last line; counts, timings and the fingerprints of unrecorded files (for re-scans)
 */

export type FileType = 'elf-executable' | 'elf-library' | 'elf-other' | 'pe' | 'script' | 'installer';

export interface ElfInfo {
  readonly class: 32 | 64;
  readonly endian: 'little' | 'big';
  /** e_type: EXEC, DYN, REL, CORE or a number. */
  readonly elfType: string;
  /** e_machine as a name (x86_64, aarch64, …) or `machine-N`. */
  readonly machine: string;
  /** PT_INTERP: the program loader this file asks for. */
  readonly interpreter?: string;
  /** true when there is no PT_DYNAMIC segment. */
  readonly static: boolean;
  /** A DYN file with PT_INTERP is a position-independent executable, not a library. */
  readonly pie: boolean;
  readonly needed: readonly string[];
  readonly soname?: string;
  /** Parse problems met (the record is still written with what could be read). */
  readonly warnings?: readonly string[];
}

export interface PeInfo {
  readonly machine: string;
  readonly bits: 32 | 64;
  readonly dll: boolean;
  readonly subsystem?: string;
  readonly versionInfo?: Readonly<Record<string, string>>;
  /** A security directory (WIN_CERTIFICATE) is present: an Authenticode signature, not yet validated. */
  readonly signed: boolean;
  /** Subject of the certificate that signed (SignerInfo issuer+serial), RFC 4514 order ("CN=…, O=…, C=…"). */
  readonly signerSubject?: string;
  readonly signerIssuer?: string;
  readonly warnings?: readonly string[];
}

export interface ScriptInfo {
  /** From the shebang line (`#!/usr/bin/env python3` gives python3 via env). */
  readonly interpreter?: string;
  readonly shebang?: string;
  /** How it was recognised. */
  readonly by: 'shebang' | 'extension';
}

export interface PackageInfo {
  readonly manager: 'dpkg' | 'rpm';
  readonly names: readonly string[];
  /** The path as recorded by dpkg (differs from the scanned path on merged-/usr: /bin/true vs /usr/bin/true). */
  readonly recordedPath: string;
  /** MD5 recorded in *.md5sums (or by an rpm package built with MD5 digests); absent when none is recorded. */
  readonly recordedMd5?: string;
  /** SHA-256 recorded by rpm (its file digests since rpm 4.6): compared with `sha256`, at no extra cost. */
  readonly recordedSha256?: string;
  /**
   * true/false when a digest was recorded and verification was on (`--verify-packages full|changed`);
   * absent otherwise.
   */
  readonly verified?: boolean;
  /**
   * How `verified` was decided: "md5" compared the file's MD5 with dpkg's; "ctime" found the file's
   * ctime not newer than the package's installation (its .list/.md5sums ctime), so the file has not
   * been written, chmod-ed or replaced since dpkg put it there. Trusts the kernel's ctime and root:
   * see docs/adr/0005-package-verification-cost.md. Absent in inventories from before this field
   * (those were always "md5"). "sha256" compared the file's SHA-256 with rpm's.
   */
  readonly verifiedBy?: 'md5' | 'ctime' | 'sha256';
  /** The package's installation time (ISO 8601), when known: for dpkg the one "ctime" compares with. */
  readonly installed?: string;
}

/** `--verify-packages`: full compares every recorded md5; changed only files modified since installation; off none. */
export type VerifyPackages = 'full' | 'changed' | 'off';

export type Principal = string; // "user:NAME", "group:NAME" or "other"

export interface WritabilityEvidence {
  readonly path: string;
  readonly principal: Principal;
  readonly how: string;
}

export interface Writability {
  /** Non-root user names that can modify or replace the file (groups expanded to members). */
  readonly users: readonly string[];
  /** Groups (other than gid 0) whose members can modify or replace the file. */
  readonly groups: readonly string[];
  /** Every local account can modify or replace it. */
  readonly other: boolean;
  readonly evidence: readonly WritabilityEvidence[];
}

export interface MountInfo {
  readonly point: string;
  readonly fstype: string;
  readonly source: string;
  readonly options: readonly string[];
  readonly noexec: boolean;
}

export interface FileRecord {
  readonly kind: 'file';
  readonly path: string;
  readonly type: FileType;
  readonly size: number;
  /** Permission bits in octal, with setuid/setgid/sticky: "0755", "4755". */
  readonly mode: string;
  readonly uid: number;
  readonly gid: number;
  readonly owner?: string;
  readonly group?: string;
  /** ISO 8601 times and the exact milliseconds used as the re-scan key. */
  readonly mtime: string;
  readonly ctime: string;
  readonly mtimeMs: number;
  readonly ctimeMs: number;
  readonly dev: number;
  readonly ino: number;
  readonly sha256: string;
  /** Computed only for package-owned files, to check against dpkg's md5sums. */
  readonly md5?: string;
  readonly elf?: ElfInfo;
  readonly pe?: PeInfo;
  readonly script?: ScriptInfo;
  readonly installer?: { readonly format: 'deb' | 'rpm' | 'msi' };
  readonly package?: PackageInfo;
  readonly writableBy: Writability;
  readonly mount?: MountInfo;
}

export interface SymlinkRecord {
  readonly kind: 'symlink';
  readonly path: string;
  readonly target: string;
  /** Where the link points once resolved against its directory (not followed on disk). */
  readonly resolved: string;
  /** The target lies inside one of the scanned paths (so it is inventoried on its own). */
  readonly inScope: boolean;
}

export interface ErrorRecord {
  readonly kind: 'error';
  readonly path: string;
  readonly error: string;
}

export interface TmpDirPosture {
  readonly path: string;
  readonly exists: boolean;
  readonly worldWritable?: boolean;
  readonly sticky?: boolean;
  readonly mount?: MountInfo;
  /** World-writable and executable from: a place to drop and run a payload. */
  readonly exposed?: boolean;
}

export interface PostureRecord {
  readonly kind: 'posture';
  readonly host: string;
  readonly kernel: string;
  readonly tmpDirs: readonly TmpDirPosture[];
  /** /proc/sys/vm/memfd_noexec: 0 allow, 1 default-noexec, 2 enforce; null when the kernel has no such knob. */
  readonly memfdNoexec: number | null;
  /** Dynamic loaders present (can run any ELF file: `ld.so ./payload`). */
  readonly loaders: readonly string[];
  /** /etc/ld.so.preload exists (system-wide LD_PRELOAD). */
  readonly ldSoPreload: boolean;
  readonly rpmDatabase: 'readable' | 'absent' | 'unreadable';
}

export interface SummaryRecord {
  readonly kind: 'summary';
  readonly version: 1;
  readonly roots: readonly string[];
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly durationMs: number;
  readonly crossMounts: boolean;
  /** Regular files looked at (recorded or not). */
  readonly filesSeen: number;
  readonly recorded: number;
  readonly byType: Readonly<Record<string, number>>;
  readonly symlinks: number;
  readonly errors: number;
  /** Files read and hashed in this run. */
  readonly hashed: number;
  readonly bytesHashed: number;
  /** Hard links whose digests came from another link of the same inode hashed in this run (classified only). */
  readonly sharedByLink?: number;
  /** Files whose earlier result was reused because (dev, ino, size, mtime, ctime) had not changed. */
  readonly reused: number;
  readonly packageOwned: number;
  readonly packageMismatch: number;
  /** How package files were verified, and how many each way (files with a recorded md5 only). */
  readonly verifyPackages?: VerifyPackages;
  readonly verifiedByMd5?: number;
  readonly verifiedByCtime?: number;
  readonly verifiedBySha256?: number;
  /** The package databases' state the package facts came from (a re-scan with the same key reuses them). */
  readonly packagesKey?: string;
  readonly writableByNonRoot: number;
  readonly workers: number;
  /** Whether rpm's database was read, and if not why (a sentence). */
  readonly rpm: string;
  /** Fingerprints "dev:ino:size:mtimeMs:ctimeMs" of regular files found not to be executables, so a re-scan skips them too. */
  readonly unrecorded: readonly string[];
}

export type InventoryRecord = FileRecord | SymlinkRecord | ErrorRecord | PostureRecord | SummaryRecord;
