/**
 * A private mount namespace to enforce in without risk to the host (DESIGN: tests that enforce must
 * never be able to block a process outside). Inside it: a tmpfs scratch mount (the only mount with
 * an exec mark) holding the staged files, and a bind-mounted copy of the C library (the only file
 * with an open mark). Outside the namespace neither the mount nor the copy exists, so no process
 * there can produce an event for this agent. Used by `execguard agent selftest`, the tests and
 * `npm run bench:exec`.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { libcPaths } from './host-setup.js';

export interface SandboxOptions {
  /** Directory whose content is copied into the scratch mount before the agent starts. */
  readonly stage: string;
  readonly policyFile: string;
  readonly mode?: 'audit' | 'enforce' | undefined;
  /** Extra `execguard agent run` arguments. */
  readonly agentArgs?: readonly string[];
  /** ms to wait for the agent to report ready. */
  readonly readyTimeoutMs?: number;
  /** Where the sandbox lives, from Sandbox.plan() (when files must name scratch paths before it starts). */
  readonly place?: SandboxPlace;
  /**
   * Runs this instead of `execguard agent run` (argv; the sandbox's scratch, spool and libc are in
   * the environment as EG_SCRATCH, EG_SPOOL, EG_LIBC). It must print "ready" on stderr.
   */
  readonly agentCommand?: readonly string[];
  /** Extra environment for the agent. */
  readonly env?: Readonly<Record<string, string>>;
}

export interface SandboxPlace {
  readonly base: string;
  readonly scratch: string;
  readonly spool: string;
}

export interface RunResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** The exec or the program's start was refused (EACCES/EPERM from the enforcer). */
  readonly blocked: boolean;
}

const CLI = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'cli', 'dist', 'main.js');

export function sandboxSupported(): { ok: boolean; why?: string } {
  if (process.platform !== 'linux') return { ok: false, why: 'not Linux' };
  if (process.getuid?.() !== 0) return { ok: false, why: 'needs root (CAP_SYS_ADMIN for fanotify and mount namespaces)' };
  const u = spawnSync('unshare', ['-m', '--propagation', 'private', 'true']);
  if (u.status !== 0) return { ok: false, why: `unshare -m failed: ${u.stderr?.toString().trim()}` };
  if (libcPaths().length === 0) return { ok: false, why: 'no C library mapped in this process' };
  return { ok: true };
}

const BLOCKED = /Operation not permitted|Permission denied|cannot open shared object file/;

export class Sandbox {
  private readonly child: ChildProcess;
  private stderrText = '';
  readonly scratch: string;
  readonly spool: string;
  private readonly base: string;

  /** Reserves a place for a sandbox: its scratch mount point and spool directory. */
  static plan(): SandboxPlace {
    const base = mkdtempSync(join(tmpdir(), 'execguard-sandbox-'));
    return { base, scratch: join(base, 'scratch'), spool: join(base, 'spool') };
  }

  private constructor(o: SandboxOptions) {
    const place = o.place ?? Sandbox.plan();
    this.base = place.base;
    this.scratch = place.scratch;
    this.spool = place.spool;
    cpSync(o.stage, join(this.base, 'stage'), { recursive: true });
    const libc = libcPaths()[0] as string;
    const quote = (a: string) => `'${a.replace(/'/g, `'\\''`)}'`;
    const agent = o.agentCommand
      ? o.agentCommand.map(quote).join(' ')
      : `"${process.execPath}" "${CLI}" agent run --policy "${o.policyFile}" --events "${this.spool}" --watch "${this.scratch}" --libc "${libc}"${
          o.mode ? ` --mode ${o.mode}` : ''
        } ${(o.agentArgs ?? []).map(quote).join(' ')}`;
    const script = [
      'set -e',
      `mkdir -p "${this.scratch}"`,
      `mount -t tmpfs -o mode=0755 execguard-scratch "${this.scratch}"`,
      `cp -a "${this.base}/stage/." "${this.scratch}/"`,
      `mkdir -p -m 1777 "${this.scratch}/tmp"`,
      `cp "${libc}" "${this.scratch}/.libc"`,
      `mount --bind "${this.scratch}/.libc" "${libc}"`,
      // A holder keeps the namespace alive when the agent dies (the SIGKILL tests run programs after).
      `sleep 2147483647 </dev/null >/dev/null 2>&1 & echo $! > "${this.base}/holder.pid"`,
      `export EG_SCRATCH="${this.scratch}" EG_SPOOL="${this.spool}" EG_LIBC="${libc}"`,
      `exec ${agent}`,
    ].join('\n');
    this.child = spawn('unshare', ['-m', '--propagation', 'private', '--', '/bin/sh', '-c', script], {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, ...(o.env ?? {}) },
    });
    this.child.stderr?.on('data', (d: Buffer) => {
      this.stderrText += d.toString();
    });
  }

  static async start(o: SandboxOptions): Promise<Sandbox> {
    const s = new Sandbox(o);
    const deadline = Date.now() + (o.readyTimeoutMs ?? 60_000);
    while (!/\bready\b/.test(s.stderrText)) {
      if (s.child.exitCode !== null || Date.now() > deadline) {
        s.stop();
        throw new Error(`the sandboxed agent did not start: ${s.stderrText.trim() || `exit ${s.child.exitCode}`}`);
      }
      await new Promise((r) => setTimeout(r, 25));
    }
    return s;
  }

  /** The agent's process id. */
  get pid(): number {
    return this.child.pid as number;
  }
  /** A process that lives in the namespace as long as the sandbox does. */
  private get holder(): number {
    return Number(readFileSync(join(this.base, 'holder.pid'), 'utf8'));
  }
  get agentLog(): string {
    return this.stderrText;
  }
  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Starts a program inside the namespace without waiting for it. */
  spawn(cmd: string, args: readonly string[] = []): ChildProcess {
    return spawn('nsenter', ['-t', String(this.holder), '-m', '--', cmd, ...args], { stdio: 'ignore', cwd: '/' });
  }

  /** Runs a program inside the namespace (absolute path), optionally with stdin. */
  run(cmd: string, args: readonly string[] = [], input?: string, timeoutMs = 20_000): RunResult {
    const r = spawnSync('nsenter', ['-t', String(this.holder), '-m', '--', cmd, ...args], {
      encoding: 'utf8',
      timeout: timeoutMs,
      ...(input !== undefined ? { input } : { stdio: ['ignore', 'pipe', 'pipe'] }),
      cwd: '/',
    });
    const stderr = r.stderr ?? '';
    return { status: r.status, stdout: r.stdout ?? '', stderr, blocked: r.status !== 0 && BLOCKED.test(stderr) };
  }

  /** Every event the agent spooled so far. */
  events(): Record<string, unknown>[] {
    const out: Record<string, unknown>[] = [];
    let names: string[] = [];
    try {
      names = readdirSync(this.spool)
        .filter((f) => f.endsWith('.jsonl'))
        .sort();
    } catch {
      return out;
    }
    for (const n of names) {
      const text = readFileSync(join(this.spool, n), 'utf8');
      for (const line of text.split('\n')) if (line) out.push(JSON.parse(line) as Record<string, unknown>);
    }
    return out;
  }

  /** Waits until the spool holds an event satisfying `pred` (the agent drains every 100 ms). */
  async waitForEvent(
    pred: (e: Record<string, unknown>) => boolean,
    timeoutMs = 5000,
  ): Promise<Record<string, unknown> | undefined> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hit = this.events().find(pred);
      if (hit || Date.now() > deadline) return hit;
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  kill(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }

  /** Stops the agent with SIGTERM (it drains its records into the spool) and waits; the files stay. */
  async stopAgent(timeoutMs = 10_000): Promise<void> {
    if (!this.alive) return;
    const exited = new Promise((r) => this.child.once('exit', r));
    this.child.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, timeoutMs))]);
  }

  async stopGracefully(timeoutMs = 10_000): Promise<void> {
    await this.stopAgent(timeoutMs);
    this.stop();
  }

  /** Kills the agent (if still running) and removes the sandbox's files. */
  stop(): void {
    if (this.alive) this.child.kill('SIGKILL');
    try {
      process.kill(this.holder, 'SIGKILL');
    } catch {
      // never started, or already gone
    }
    try {
      if (statSync(this.base).isDirectory()) rmSync(this.base, { recursive: true, force: true });
    } catch {
      // already gone
    }
  }
}
