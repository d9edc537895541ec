/**
 * The native core (native/*.c), loaded once. Building it needs a C compiler and Node's headers
 * (`npm run build:extra -w packages/agent`, run by the bootstrap); everything that does not enforce
 * (lowering, tests of the table format) works without it.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface NativeDecision {
  readonly verdict: 'allow' | 'deny';
  readonly effect: 'allowed' | 'denied' | 'would-deny';
  readonly decidedBy: string;
  readonly ruleId: string;
  readonly exceptionId: string | null;
  readonly windowId: string | null;
  readonly neverBlockId: string | null;
  readonly content: 'none' | 'inline' | 'script' | 'stdin';
  readonly loader: boolean;
  readonly memfd: boolean;
  readonly proxyUse: boolean;
  readonly masquerade: boolean;
  readonly userWritableLocation: boolean;
  readonly scriptPath: string | null;
}

export interface NativeSubject {
  readonly path: string;
  readonly sha256: string | null;
  readonly adminOnly: boolean;
  /** The host interpreter, loader or proxy binary this file is a copy of (same sha256). */
  readonly contentName?: string;
  readonly package?: { readonly manager: 'dpkg' | 'rpm'; readonly name: string; readonly verified: boolean };
}

/** What the enforcer saw and decided for one permission event. */
export interface NativeRecord {
  readonly time: number;
  readonly stage: 'exec' | 'libc';
  readonly outcome: 'decided' | 'deadline' | 'error';
  readonly pid: number;
  readonly ppid: number;
  readonly uid: number;
  readonly gid: number;
  readonly args: string[] | null;
  readonly cwd: string | null;
  readonly user: string | null;
  readonly group: string | null;
  readonly groups: string[];
  readonly stdin: 'tty' | 'pipe' | 'file' | 'socket' | 'null' | 'unknown' | null;
  readonly program: NativeSubject | null;
  readonly script: NativeSubject | null;
  readonly parent: NativeSubject | null;
  readonly ancestors: NativeSubject[];
  readonly decision: NativeDecision;
  readonly latencyUs: number;
  /** A summary: identical allowed executions after the one recorded at `firstTime`, the last at `time`. */
  readonly repeats: number;
  readonly firstTime?: number;
}

export interface EnforcerStats {
  readonly running: boolean;
  readonly decisions: number;
  readonly allowed: number;
  readonly denied: number;
  readonly wouldDeny: number;
  readonly deadlineMisses: number;
  readonly errors: number;
  readonly recordsDropped: number;
  readonly kernelOverflows: number;
  readonly tableSwaps: number;
  readonly restarts: number;
  readonly queued: number;
  readonly p50Us: number;
  readonly p99Us: number;
  readonly maxLatencyUs: number;
  readonly cacheHits: number;
  readonly cacheMisses: number;
}

export interface StartOptions {
  readonly watch: readonly string[];
  readonly libc: readonly string[];
  readonly deadlineMs?: number;
  readonly watchdogMs?: number;
  readonly recordCap?: number;
  /** Window (ms) in which repeated identical allowed executions are counted, not recorded one by one; 0: off. */
  readonly summaryMs?: number;
}

export interface NativeCore {
  loadTable(table: Buffer): unknown;
  decide(table: unknown, facts: Buffer): NativeDecision;
  start(options: StartOptions, table: Buffer): void;
  setTable(table: Buffer): void;
  stop(): void;
  take(max?: number): NativeRecord[];
  stats(): EnforcerStats;
  clearCache(): void;
}

const addonPath = join(dirname(fileURLToPath(import.meta.url)), '..', 'build', 'Release', 'execguard_core.node');
let core: NativeCore | undefined;

export function nativeAvailable(): boolean {
  return existsSync(addonPath);
}

export function nativeCore(): NativeCore {
  if (core) return core;
  if (!nativeAvailable()) {
    throw new Error(
      `the native enforcer core is not built (${addonPath} is missing): run "npm run build:extra -w packages/agent" (needs make and a C compiler)`,
    );
  }
  core = createRequire(import.meta.url)(addonPath) as NativeCore;
  return core;
}
