/**
 * The regular proof M0938 asks for: approved tools still run, unapproved code is blocked. A canary
 * set covering each bypass path (untrusted binary in a writable directory, a tampered binary at an
 * allowed path, scripts through each interpreter, inline code, a script on stdin, the loader, memfd,
 * renamed copies of an interpreter and of the loader allowed by hash) must be blocked — or, in audit mode, run and be recorded
 * as would-deny — and an approved set must run. Runs in a sandbox (private mount namespace) with a
 * temporary agent, so it can be run on a production host without touching anything outside.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RunResult, Sandbox } from './sandbox.js';

export interface SelftestCase {
  readonly name: string;
  readonly technique: string;
  readonly expect: 'blocked' | 'runs';
  readonly passed: boolean;
  readonly detail: string;
  /** The effect the agent recorded for the execution, when found. */
  readonly recorded?: string | undefined;
}

export interface SelftestReport {
  readonly mode: 'audit' | 'enforce';
  /** A temporary agent in a sandbox, or the agent running on this host. */
  readonly target: 'sandbox' | 'running-agent';
  readonly passed: boolean;
  readonly cases: readonly SelftestCase[];
  readonly skipped: readonly { name: string; why: string }[];
  readonly agent: Record<string, unknown> | undefined;
}

interface Canary {
  readonly name: string;
  readonly technique: string;
  readonly expect: 'blocked' | 'runs';
  readonly cmd: string;
  readonly args: readonly string[];
  readonly input?: string;
  /** Text the program prints when it ran. */
  readonly marker: string;
  /** The executable the agent records for this execution. */
  readonly exe: string;
  /** A file that must exist for the canary to be meaningful (the interpreter it uses). */
  readonly needs?: string | undefined;
}

const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');
const which = (p: string) => (existsSync(p) ? realpathSync(p) : undefined);

/** Files staged into the scratch mount, the policy, and the canaries that use them. */
function stage(
  dir: string,
  scratch: string,
  mode: 'audit' | 'enforce',
): { policy: string; canaries: Canary[]; skipped: { name: string; why: string }[] } {
  const s = (f: string) => join(scratch, f);
  const bash = which('/usr/bin/bash') ?? which('/bin/bash');
  const sh = which('/usr/bin/sh') ?? which('/bin/sh');
  const python = which('/usr/bin/python3');
  const perl = which('/usr/bin/perl');
  const node = realpathSync(process.execPath);
  const truePath = which('/usr/bin/true') as string;
  const ldso = which('/lib64/ld-linux-x86-64.so.2') ?? which('/lib/ld-linux-aarch64.so.1');

  const write = (name: string, text: string, exec = false) => {
    writeFileSync(join(dir, name), text);
    if (exec) chmodSync(join(dir, name), 0o755);
    return sha256(join(dir, name));
  };
  const approved: string[] = [];
  approved.push(write('approved.sh', 'echo approved-shell\n'));
  approved.push(write('approved-direct.sh', '#!/bin/sh\necho approved-direct\n', true));
  if (python) approved.push(write('approved.py', 'print("approved-python")\n'));
  if (python) {
    // Loads /usr/bin/true into an anonymous memory file and executes it from there (fileless).
    approved.push(
      write(
        'memfd.py',
        'import os\nfd = os.memfd_create("canary", 0)\nos.write(fd, open("/usr/bin/true", "rb").read())\nos.execv(f"/proc/self/fd/{fd}", ["canary"])\n',
      ),
    );
  }
  write('untrusted.sh', 'echo canary-ran\n', true);
  write('untrusted.py', 'print("canary-ran")\n');
  write('untrusted.pl', 'print "canary-ran\\n";\n');
  write('untrusted.js', 'console.log("canary-ran")\n');
  // A program of our own in a writable directory: a copy of `true` with a different hash.
  const untrusted = join(dir, 'tmp-untrusted');
  writeFileSync(untrusted, Buffer.concat([readFileSync(truePath), Buffer.from('canary')]));
  chmodSync(untrusted, 0o755);
  // An allowed tool, approved by hash, and its tampered twin (same size, one byte changed).
  copyFileSync(truePath, join(dir, 'tool'));
  chmodSync(join(dir, 'tool'), 0o755);
  const toolHash = sha256(join(dir, 'tool'));
  const tampered = readFileSync(truePath);
  tampered.writeUInt8((tampered.at(-1) ?? 0) ^ 0xff, tampered.length - 1);
  writeFileSync(join(dir, 'tool-tampered'), tampered);
  chmodSync(join(dir, 'tool-tampered'), 0o755);
  if (python) copyFileSync(python, join(dir, 'renamed-python'));
  if (python) chmodSync(join(dir, 'renamed-python'), 0o755);
  if (ldso) copyFileSync(ldso, join(dir, 'renamed-loader'));
  if (ldso) chmodSync(join(dir, 'renamed-loader'), 0o755);
  // The interpreter and the loader are allowed by hash too, as a hash baseline would allow them: their
  // renamed copies carry those hashes, and must still be known as what they are (by content).
  const byHash = [toolHash, ...[python, ldso].filter((f): f is string => f !== undefined).map(sha256)];

  const policy = {
    apiVersion: 'execguard.io/v1',
    kind: 'Policy',
    metadata: { name: 'execguard-selftest', version: 1 },
    defaults: { mode, failMode: 'open' },
    rules: [
      {
        id: 'allow-system',
        action: 'allow',
        description: 'system programs in administrator-only directories',
        match: {
          program: { path: ['/usr/bin/*', '/usr/sbin/*', '/usr/lib/**', '/usr/libexec/**', '/usr/local/bin/*', `${node}`] },
        },
      },
      { id: 'allow-tool', action: 'allow', match: { program: { sha256: byHash } } },
      { id: 'allow-approved-scripts', action: 'allow', match: { script: { sha256: approved } } },
    ],
  };
  const policyFile = join(dir, '..', 'policy.json');
  writeFileSync(policyFile, JSON.stringify(policy, null, 2));

  const skipped: { name: string; why: string }[] = [];
  const c: Canary[] = [];
  const add = (x: Canary) => {
    if (x.needs === undefined || existsSync(x.needs)) c.push(x);
    else skipped.push({ name: x.name, why: `${x.needs} is not installed` });
  };
  add({ name: 'approved program runs', technique: '-', expect: 'runs', cmd: truePath, args: [], marker: '', exe: truePath });
  add({
    name: 'approved tool (by hash) runs',
    technique: '-',
    expect: 'runs',
    cmd: s('tool'),
    args: [],
    marker: '',
    exe: s('tool'),
  });
  add({
    name: 'approved script through bash runs',
    technique: 'T0853',
    expect: 'runs',
    cmd: bash ?? '/usr/bin/bash',
    args: [s('approved.sh')],
    marker: 'approved-shell',
    exe: bash ?? '',
    needs: bash,
  });
  add({
    name: 'approved script executed directly (#!) runs',
    technique: 'T0853',
    expect: 'runs',
    cmd: s('approved-direct.sh'),
    args: [],
    marker: 'approved-direct',
    exe: sh ?? '',
    needs: sh,
  });
  add({
    name: 'approved python script runs',
    technique: 'T0853',
    expect: 'runs',
    cmd: python ?? '/usr/bin/python3',
    args: [s('approved.py')],
    marker: 'approved-python',
    exe: python ?? '',
    needs: python,
  });
  add({
    name: 'untrusted ELF in a writable directory',
    technique: 'T0863',
    expect: 'blocked',
    cmd: s('tmp-untrusted'),
    args: [],
    marker: '',
    exe: s('tmp-untrusted'),
  });
  add({
    name: 'tampered binary (same size) at an allowed location',
    technique: 'T0849',
    expect: 'blocked',
    cmd: s('tool-tampered'),
    args: [],
    marker: '',
    exe: s('tool-tampered'),
  });
  add({
    name: 'bash untrusted.sh',
    technique: 'T0853',
    expect: 'blocked',
    cmd: bash ?? '',
    args: [s('untrusted.sh')],
    marker: 'canary-ran',
    exe: bash ?? '',
    needs: bash,
  });
  add({
    name: 'sh untrusted.sh',
    technique: 'T0853',
    expect: 'blocked',
    cmd: sh ?? '',
    args: [s('untrusted.sh')],
    marker: 'canary-ran',
    exe: sh ?? '',
    needs: sh,
  });
  add({
    name: 'untrusted script executed directly',
    technique: 'T0853',
    expect: 'blocked',
    cmd: s('untrusted.sh'),
    args: [],
    marker: 'canary-ran',
    exe: sh ?? '',
    needs: sh,
  });
  add({
    name: 'script piped to bash (cat x.sh | bash)',
    technique: 'T0853',
    expect: 'blocked',
    cmd: bash ?? '',
    args: [],
    input: 'echo canary-ran\n',
    marker: 'canary-ran',
    exe: bash ?? '',
    needs: bash,
  });
  add({
    name: 'bash -c inline code',
    technique: 'T0853',
    expect: 'blocked',
    cmd: bash ?? '',
    args: ['-c', 'echo canary-ran'],
    marker: 'canary-ran',
    exe: bash ?? '',
    needs: bash,
  });
  add({
    name: 'python3 -c inline code',
    technique: 'T0853',
    expect: 'blocked',
    cmd: python ?? '',
    args: ['-c', 'print("canary-ran")'],
    marker: 'canary-ran',
    exe: python ?? '',
    needs: python,
  });
  add({
    name: 'python3 untrusted.py (no shebang)',
    technique: 'T0853',
    expect: 'blocked',
    cmd: python ?? '',
    args: [s('untrusted.py')],
    marker: 'canary-ran',
    exe: python ?? '',
    needs: python,
  });
  add({
    name: 'perl untrusted.pl',
    technique: 'T0853',
    expect: 'blocked',
    cmd: perl ?? '',
    args: [s('untrusted.pl')],
    marker: 'canary-ran',
    exe: perl ?? '',
    needs: perl,
  });
  add({
    name: 'perl -e inline code',
    technique: 'T0853',
    expect: 'blocked',
    cmd: perl ?? '',
    args: ['-e', 'print "canary-ran\\n"'],
    marker: 'canary-ran',
    exe: perl ?? '',
    needs: perl,
  });
  add({
    name: 'node untrusted.js',
    technique: 'T0853',
    expect: 'blocked',
    cmd: node,
    args: [s('untrusted.js')],
    marker: 'canary-ran',
    exe: node,
  });
  add({
    name: 'node -e inline code',
    technique: 'T0853',
    expect: 'blocked',
    cmd: node,
    args: ['-e', 'console.log("canary-ran")'],
    marker: 'canary-ran',
    exe: node,
  });
  add({
    name: 'direct loader invocation (ld.so ./untrusted)',
    technique: 'T0894',
    expect: 'blocked',
    cmd: ldso ?? '',
    args: [truePath],
    marker: '',
    exe: ldso ?? '',
    needs: ldso,
  });
  add({
    name: 'memfd execution (fileless)',
    technique: 'T0834',
    expect: 'blocked',
    cmd: python ?? '',
    args: [s('memfd.py')],
    marker: '',
    exe: '/memfd:canary (deleted)',
    needs: python,
  });
  add({
    name: 'allowed interpreter copied and renamed into a writable directory',
    technique: 'T0849',
    expect: 'blocked',
    cmd: s('renamed-python'),
    args: ['-c', 'print("canary-ran")'],
    marker: 'canary-ran',
    exe: s('renamed-python'),
    needs: python,
  });
  add({
    name: 'allowed loader copied and renamed into a writable directory',
    technique: 'T0894',
    expect: 'blocked',
    cmd: s('renamed-loader'),
    args: [truePath],
    marker: '',
    exe: s('renamed-loader'),
    needs: ldso,
  });
  return { policy: policyFile, canaries: c, skipped };
}

/** The fields of a spooled event the selftest reads. */
interface Ev {
  event?: { id?: string };
  process?: { executable?: string };
  execguard?: { decision?: { effect?: string }; semantics_mismatch?: unknown };
  rule?: { id?: string };
}

/** Where the canaries run: a sandbox with a temporary agent, or this host under its running agent. */
interface Target {
  run(cmd: string, args: readonly string[], input?: string): RunResult;
  waitForEvent(pred: (e: Ev) => boolean, timeoutMs: number): Promise<Ev | undefined>;
  events(): Ev[];
}

async function runCases(
  target: Target,
  mode: 'audit' | 'enforce',
  canaries: readonly Canary[],
  onProgress?: (d: number, t: number) => void,
): Promise<SelftestCase[]> {
  const seen = new Set<unknown>();
  const cases: SelftestCase[] = [];
  for (const [i, k] of canaries.entries()) {
    const r = target.run(k.cmd, k.args, k.input);
    const ran = r.status === 0 && (k.marker === '' || r.stdout.includes(k.marker));
    const rec = await target.waitForEvent(
      (e) => e.process?.executable === k.exe && e.execguard?.decision?.effect !== 'allowed' && !seen.has(e.event?.id),
      k.expect === 'blocked' ? 3000 : 300,
    );
    if (rec) seen.add(rec.event?.id);
    const recorded = rec?.execguard?.decision?.effect;
    let passed: boolean;
    let detail: string;
    if (k.expect === 'runs') {
      passed = ran;
      detail = ran ? 'ran' : `did not run (exit ${r.status}): ${r.stderr.trim().split('\n')[0] ?? ''}`;
    } else if (mode === 'enforce') {
      passed = !ran && r.blocked && recorded === 'denied';
      detail = ran
        ? 'RAN — not blocked'
        : r.blocked
          ? `blocked (${recorded ?? 'no event recorded'}, rule ${rec?.rule?.id ?? '?'})`
          : `failed without a block (exit ${r.status}): ${r.stderr.trim().split('\n')[0] ?? ''}`;
    } else {
      passed = ran && recorded === 'would-deny';
      detail = `${ran ? 'ran' : 'did not run'}; recorded ${recorded ?? 'nothing'}${rec ? ` (rule ${rec.rule?.id})` : ''}`;
    }
    cases.push({ name: k.name, technique: k.technique, expect: k.expect, passed, detail, recorded });
    onProgress?.(i + 1, canaries.length);
  }
  return cases;
}

const mismatchesIn = (events: readonly Ev[]) => events.filter((e) => e.execguard?.semantics_mismatch !== undefined).length;

export interface SelftestOptions {
  readonly mode?: 'audit' | 'enforce';
  readonly onProgress?: (done: number, total: number) => void;
  /** Test the agent already running on this host (see runningAgent()) instead of a temporary one. */
  readonly running?: RunningAgent;
  /** Programs the running agent's policy approves, as argv lists; each must run. */
  readonly approved?: readonly (readonly string[])[];
  /** Where canaries are written when testing the running agent (a writable directory on a watched mount). */
  readonly workDir?: string;
}

export async function runSelftest(o: SelftestOptions = {}): Promise<SelftestReport> {
  if (o.running) return runAgainstRunning(o.running, o);
  const mode = o.mode ?? 'enforce';
  const base = mkdtempSync(join(tmpdir(), 'execguard-selftest-'));
  const stageDir = join(base, 'stage');
  mkdirSync(stageDir);
  let sandbox: Sandbox | undefined;
  try {
    // Canaries name their paths inside the scratch mount, so the sandbox's place is fixed first.
    const place = Sandbox.plan();
    const { policy, canaries, skipped } = stage(stageDir, place.scratch, mode);
    sandbox = await Sandbox.start({ stage: stageDir, policyFile: policy, place });
    const sb = sandbox;
    const cases = await runCases(
      {
        run: (c, a, i) => sb.run(c, a, i),
        waitForEvent: (p, t) => sb.waitForEvent(p as never, t) as Promise<Ev | undefined>,
        events: () => sb.events() as Ev[],
      },
      mode,
      canaries,
      o.onProgress,
    );
    const events = sandbox.events() as Ev[];
    await sandbox.stopGracefully();
    const mismatches = mismatchesIn(events);
    return {
      mode,
      target: 'sandbox',
      passed: cases.every((c) => c.passed) && mismatches === 0,
      cases,
      skipped,
      agent: { events: events.length, mismatches },
    };
  } finally {
    sandbox?.stop();
    rmSync(base, { recursive: true, force: true });
  }
}

/** What `execguard agent run` publishes about itself for the selftest (runtime file). */
export interface RunningAgent {
  readonly pid: number;
  readonly mode: 'learn' | 'audit' | 'enforce';
  readonly spoolDir: string;
  readonly watch: readonly string[];
}

export const RUNTIME_FILE = '/run/execguard/agent.json';

/** The agent running on this host, if its runtime file names a live process. */
export function runningAgent(file = RUNTIME_FILE): RunningAgent | undefined {
  try {
    const a = JSON.parse(readFileSync(file, 'utf8')) as RunningAgent;
    process.kill(a.pid, 0);
    return a;
  } catch {
    return undefined;
  }
}

/**
 * Canaries on this host under its running agent and its own policy. Only the bypass canaries that
 * need no policy of ours run (nothing is placed at an allowed location of a production host); the
 * approved set is what the operator names. Files go to a fresh directory under /tmp and are removed.
 */
async function runAgainstRunning(agent: RunningAgent, o: SelftestOptions): Promise<SelftestReport> {
  const mode = agent.mode === 'enforce' ? 'enforce' : 'audit';
  const dir = mkdtempSync(join(o.workDir ?? tmpdir(), 'execguard-selftest-'));
  try {
    const { canaries, skipped } = stage(dir, dir, mode);
    // Not staged here: a tampered file at an allowed location (nothing is placed at allowed locations of a
    // production host) and memfd (its helper script is approved only by the sandbox's own policy).
    const own = canaries.filter((c) => c.expect === 'blocked' && !/tampered|memfd/.test(c.name));
    const approved: Canary[] = (o.approved ?? []).map((argv) => ({
      name: `approved: ${argv.join(' ')}`,
      technique: '-',
      expect: 'runs',
      cmd: argv[0] as string,
      args: argv.slice(1),
      marker: '',
      exe: argv[0] as string,
    }));
    const spool = agent.spoolDir;
    const readSpool = (): Ev[] => {
      const out: Ev[] = [];
      for (const f of readdirSync(spool)
        .filter((x) => x.endsWith('.jsonl'))
        .sort()) {
        for (const line of readFileSync(join(spool, f), 'utf8').split('\n')) if (line) out.push(JSON.parse(line) as Ev);
      }
      return out;
    };
    const before = new Set(readSpool().map((e) => e.event?.id));
    const fresh = () => readSpool().filter((e) => !before.has(e.event?.id));
    const target: Target = {
      run: (cmd, args, input) => runOnHost(cmd, args, input),
      events: fresh,
      waitForEvent: async (pred, t) => {
        const deadline = Date.now() + t;
        for (;;) {
          const hit = fresh().find(pred);
          if (hit || Date.now() > deadline) return hit;
          await new Promise((r) => setTimeout(r, 50));
        }
      },
    };
    const cases = await runCases(target, mode, [...approved, ...own], o.onProgress);
    const mismatches = mismatchesIn(fresh());
    return {
      mode,
      target: 'running-agent',
      passed: cases.every((c) => c.passed) && mismatches === 0,
      cases,
      skipped: [
        ...skipped,
        {
          name: 'tampered binary (same size) at an allowed location',
          why: 'nothing is staged at allowed locations of a running host',
        },
        { name: 'memfd execution (fileless)', why: 'its helper script is approved only in the sandbox' },
      ],
      agent: { pid: agent.pid, events: fresh().length, mismatches },
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const BLOCKED_HOST = /Operation not permitted|Permission denied|cannot open shared object file/;

function runOnHost(cmd: string, args: readonly string[], input?: string): RunResult {
  const r = spawnSync(cmd, args, {
    encoding: 'utf8',
    timeout: 20_000,
    ...(input !== undefined ? { input } : { stdio: ['ignore', 'pipe', 'pipe'] }),
  });
  const stderr = r.stderr ?? (r.error ? String(r.error.message) : '');
  const failedToStart = r.error !== undefined && /EACCES|EPERM/.test(String((r.error as NodeJS.ErrnoException).code));
  return {
    status: r.status,
    stdout: r.stdout ?? '',
    stderr,
    blocked: failedToStart || (r.status !== 0 && BLOCKED_HOST.test(stderr)),
  };
}
