/**
 * The agent process: lowers the policy for this host, starts the native core, and moves what the
 * core decided into the spool as explained ExecEvents. The JavaScript side is never on the verdict
 * path: if it stalls, the core keeps deciding and its bounded record queue counts what it drops.
 */
import { mkdirSync, readFileSync, rmSync, unwatchFile, watchFile, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { type CompiledPolicy, compile, policyDigest } from '@execguard/engine';
import { loadAccounts } from '@execguard/inventory';
import { defaultCatalogue } from '@execguard/knowledge';
import { formatIssue, type HostContext, type Mode, type Policy, parsePolicyText } from '@execguard/schema';
import { contentNames } from './content-names.js';
import { explainRecord } from './event.js';
import { executableMounts, libcPaths } from './host-setup.js';
import type { ServerLink } from './link.js';
import { type EnforcerStats, nativeCore } from './native.js';
import { cachedScan, DEFAULT_PACKAGE_ROOTS, PACKAGE_CACHE, packageFiles, UPLOAD_CACHE } from './packages.js';
import { Spool } from './spool.js';
import { buildTable, type TableInfo } from './table.js';

export interface AgentOptions {
  readonly policyFile: string;
  readonly mode?: Mode | undefined;
  readonly spoolDir: string;
  readonly watch?: readonly string[] | undefined;
  readonly libc?: readonly string[] | undefined;
  readonly host?: Partial<HostContext> | undefined;
  readonly deadlineMs?: number | undefined;
  readonly watchdogMs?: number | undefined;
  readonly recordCap?: number | undefined;
  /**
   * Window (ms) in which an allowed execution identical to one already recorded (program, arguments,
   * script, verdict) is counted instead of recorded; one summary with the count closes the window.
   * Default 60 s; 0 records every execution.
   */
  readonly summaryMs?: number | undefined;
  /** Roots scanned for package-owned files when the policy has package identities. */
  readonly packageRoots?: readonly string[] | undefined;
  /** Where the host's interpreters, loaders and proxy binaries are found by name, then known by content (default CONTENT_NAME_DIRS). */
  readonly contentNameDirs?: readonly string[] | undefined;
  /** How often records move to the spool (ms). */
  readonly drainMs?: number | undefined;
  /** The control server link: bundles replace the policy file, spooled events are uploaded. */
  readonly link?: ServerLink | undefined;
  /** Where the agent says it runs (pid, mode, spool), for `execguard agent selftest`; removed on stop. */
  readonly runtimeFile?: string | undefined;
  /** How often the link uploads an inventory of the package roots (ms, default 24 h; 0 never). */
  readonly inventoryMs?: number | undefined;
  /** How often the link checks in, pulls the bundle and uploads (ms, default 30 s). */
  readonly syncMs?: number | undefined;
  readonly log?: (line: string) => void;
}

export class PolicyFileError extends Error {}

/** Reads and validates a policy file; the effective policy applies a `--mode` override to every scope. */
export function loadPolicyFile(file: string, mode: Mode | undefined): Policy {
  const parsed = parsePolicyText(readFileSync(file, 'utf8'), file);
  if (!parsed.ok) throw new PolicyFileError(parsed.issues.map(formatIssue).join('\n'));
  if (!mode) return parsed.value;
  return {
    ...parsed.value,
    defaults: { ...parsed.value.defaults, mode },
    ...(parsed.value.scopes ? { scopes: parsed.value.scopes.map((s) => ({ ...s, mode })) } : {}),
  };
}

export class Agent {
  readonly host: HostContext;
  private compiled: CompiledPolicy | undefined;
  private info: TableInfo | undefined;
  private spool: Spool;
  private timer: NodeJS.Timeout | undefined;
  private syncTimer: NodeJS.Timeout | undefined;
  private syncing: Promise<void> | undefined;
  /** The reload in progress and those queued behind it (each reads the policy file when its turn comes). */
  private reloads: Promise<boolean> = Promise.resolve(false);
  private policyVersion: number | undefined;
  private lastInventory = 0;
  private mismatches = 0;
  private written = 0;
  private readonly log: (line: string) => void;

  constructor(private readonly o: AgentOptions) {
    this.host = {
      id: o.host?.id ?? hostname(),
      name: o.host?.name ?? hostname(),
      ...(o.host?.role ? { role: o.host.role } : {}),
      ...(o.host?.labels ? { labels: o.host.labels } : {}),
    };
    this.spool = new Spool(o.spoolDir);
    this.log = o.log ?? (() => {});
  }

  /** Lowers a policy for this host (with accounts and package files when the policy needs them). */
  private async lower(policy: Policy): Promise<{ table: Buffer; info: TableInfo; compiled: CompiledPolicy }> {
    const compiled = compile(policy, { catalogue: defaultCatalogue });
    // Read again with every policy (an upgrade changes the hashes); unchanged files are not hashed twice.
    const names = await contentNames(defaultCatalogue, this.o.contentNameDirs);
    const base = { catalogue: defaultCatalogue, host: this.host, contentNames: names };
    let result = buildTable(policy, base);
    if (result.info.needs.user || result.info.needs.packages) {
      const accounts = result.info.needs.user ? accountsMaps() : undefined;
      // The previous scan, kept beside the spool (owned by the agent), makes this a re-scan: unchanged files are not read again.
      const pkgs = result.info.needs.packages
        ? await packageFiles(this.o.packageRoots, join(this.o.spoolDir, PACKAGE_CACHE))
        : undefined;
      result = buildTable(policy, { ...base, ...(accounts ?? {}), ...(pkgs ? { packageFiles: pkgs } : {}) });
    }
    return { table: result.table, info: result.info, compiled };
  }

  async start(): Promise<TableInfo> {
    const policy = loadPolicyFile(this.o.policyFile, this.o.mode);
    const { table, info, compiled } = await this.lower(policy);
    const watch = this.o.watch?.length ? this.o.watch : executableMounts();
    const libc = this.o.libc?.length ? this.o.libc : libcPaths();
    nativeCore().start(
      {
        watch,
        libc,
        deadlineMs: this.o.deadlineMs ?? 250,
        watchdogMs: this.o.watchdogMs ?? 2000,
        recordCap: this.o.recordCap ?? 65536,
        summaryMs: this.o.summaryMs ?? 60_000,
      },
      table,
    );
    this.compiled = compiled;
    this.info = info;
    this.policyVersion = policy.metadata.version;
    this.timer = setInterval(() => this.drain(), this.o.drainMs ?? 100);
    if (this.o.link) this.syncTimer = setInterval(() => void this.sync(), this.o.syncMs ?? 30_000);
    watchFile(this.o.policyFile, { interval: 1000 }, () => void this.reload());
    if (this.o.runtimeFile) {
      mkdirSync(dirname(this.o.runtimeFile), { recursive: true, mode: 0o755 });
      writeFileSync(this.o.runtimeFile, JSON.stringify({ pid: process.pid, mode: info.mode, spoolDir: this.o.spoolDir, watch }), {
        mode: 0o644,
      });
    }
    this.log(
      `enforcing ${info.mode} (scope ${info.scopeId}, fail-${info.failMode}) on ${watch.join(', ')}; libc ${libc.join(', ')}`,
    );
    return info;
  }

  /**
   * Applies a changed policy file without a gap: the core swaps tables between two events, so every
   * execution is decided by the old table or the new one. An invalid file keeps the old policy; a
   * file rewritten with the same policy (a re-delivered bundle) changes nothing and returns false.
   */
  reload(): Promise<boolean> {
    // One at a time, in order: a reload that lowers a policy with package rules takes a second or
    // more, and one started later must not be overtaken by it (the older table would win).
    const next = this.reloads.then(() => this.reloadNow());
    this.reloads = next;
    return next;
  }

  private async reloadNow(): Promise<boolean> {
    try {
      const policy = loadPolicyFile(this.o.policyFile, this.o.mode);
      if (this.compiled && policyDigest(policy) === this.compiled.ref.digest) return false;
      const { table, info, compiled } = await this.lower(policy);
      const swaps = nativeCore().stats().tableSwaps;
      nativeCore().setTable(table);
      await tableTaken(swaps); // reported as reloaded only once the core decides with it
      this.drain(); // records decided by the old table are explained with the old policy
      this.compiled = compiled;
      this.info = info;
      this.policyVersion = policy.metadata.version;
      this.log(`policy reloaded: ${policy.metadata.name} v${policy.metadata.version}, ${info.mode}`);
      return true;
    } catch (e) {
      this.log(`policy reload refused, keeping the running policy: ${(e as Error).message}`);
      return false;
    }
  }

  /** Moves decided records into the spool as explained events. */
  drain(): number {
    const compiled = this.compiled;
    if (!compiled) return 0;
    let moved = 0;
    for (;;) {
      const records = nativeCore().take(4096);
      if (records.length === 0) break;
      const events = records.map((r) => {
        const x = explainRecord(r, compiled, this.host);
        if (x.mismatch) this.mismatches++;
        return x.event;
      });
      this.spool.append(events);
      moved += events.length;
    }
    this.written += moved;
    return moved;
  }

  /**
   * One round with the control server: check in, install a newer bundle (then reload at once rather
   * than at the next file poll), upload what the spool holds. Failures are logged and retried at the
   * next round; enforcement never depends on the server.
   */
  sync(): Promise<void> {
    const link = this.o.link;
    if (!link) return Promise.resolve();
    this.syncing ??= (async () => {
      try {
        this.drain();
        await link.heartbeat(this.policyVersion);
        if (await link.pullBundle(this.host)) await this.reload();
        const up = await link.upload(this.spool);
        await this.maybeUploadInventory(link);
        if (up.rejected > 0) this.log(`server refused ${up.rejected} events (kept in the spool, not retried)`);
      } catch (e) {
        this.log(`server link: ${(e as Error).message} (retrying)`);
      } finally {
        this.syncing = undefined;
      }
    })();
    return this.syncing;
  }

  /** The host's inventory (the package roots, scanned with hashes and provenance), once per period. */
  private async maybeUploadInventory(link: ServerLink): Promise<void> {
    const every = this.o.inventoryMs ?? 24 * 3600 * 1000;
    if (every <= 0 || Date.now() - this.lastInventory < every) return;
    const cacheFile = join(this.o.spoolDir, UPLOAD_CACHE);
    let lines = 0;
    await cachedScan({
      roots: this.o.packageRoots ?? DEFAULT_PACKAGE_ROOTS,
      verifyPackages: 'changed',
      cacheFile,
      onLine: () => lines++,
    });
    await link.uploadInventory(`scan-${new Date().toISOString()}.jsonl`, readFileSync(cacheFile, 'utf8'));
    this.lastInventory = Date.now();
    this.log(`inventory uploaded (${lines} records)`);
  }

  stats(): EnforcerStats & { mismatches: number; spooled: number; mode: string | undefined } {
    return { ...nativeCore().stats(), mismatches: this.mismatches, spooled: this.written, mode: this.info?.mode };
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    if (this.syncTimer) clearInterval(this.syncTimer);
    unwatchFile(this.o.policyFile);
    nativeCore().stop();
    if (this.o.runtimeFile) rmSync(this.o.runtimeFile, { force: true });
    this.drain();
    this.spool.close();
  }
}

/**
 * The core takes a new table at its next turn (within one 200 ms wait for events); until then the old
 * one decides. Resolves once it has (its swap count moved past `swaps`), the core stopped, or 2 s passed.
 */
async function tableTaken(swaps: number): Promise<void> {
  for (let waited = 0; waited < 2000; waited += 5) {
    const s = nativeCore().stats();
    if (s.tableSwaps !== swaps || !s.running) return;
    await new Promise((r) => setTimeout(r, 5));
  }
}

function accountsMaps(): { users: Map<number, string>; groups: Map<number, string> } {
  const users = new Map<number, string>();
  const groups = new Map<number, string>();
  const a = loadAccounts();
  for (const [file, map, name] of [
    ['/etc/passwd', users, (id: number) => a.userName(id)],
    ['/etc/group', groups, (id: number) => a.groupName(id)],
  ] as const) {
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      const id = Number(line.split(':')[2]);
      const n = Number.isInteger(id) ? name(id) : undefined;
      if (n !== undefined && !map.has(id)) map.set(id, n);
    }
  }
  return { users, groups };
}
