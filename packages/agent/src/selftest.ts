/**
 * The regular proof M0938 asks for: approved tools still run, unapproved code is blocked. A canary
 * set covering each bypass path (untrusted binary in a writable directory, a tampered binary at an
 * allowed path, scripts through each interpreter, inline code, a script on stdin, the loader, memfd,
 * a renamed copy of an allowed interpreter) must be blocked — or, in audit mode, run and be recorded
 * as would-deny — and an approved set must run. Runs in a sandbox (private mount namespace) with a
 * temporary agent, so it can be run on a production host without touching anything outside.
 */
import { createHash } from 'node:crypto';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Sandbox } from './sandbox.js';

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
      { id: 'allow-tool', action: 'allow', match: { program: { sha256: [toolHash] } } },
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
  return { policy: policyFile, canaries: c, skipped };
}

/** The fields of a spooled event the selftest reads. */
interface Ev {
  event?: { id?: string };
  process?: { executable?: string };
  execguard?: { decision?: { effect?: string } };
  rule?: { id?: string };
}

export async function runSelftest(
  o: { mode?: 'audit' | 'enforce'; onProgress?: (done: number, total: number) => void } = {},
): Promise<SelftestReport> {
  const mode = o.mode ?? 'enforce';
  const base = mkdtempSync(join(tmpdir(), 'execguard-selftest-'));
  const stageDir = join(base, 'stage');
  mkdirSync(stageDir);
  const seen = new Set<unknown>();
  let sandbox: Sandbox | undefined;
  try {
    // Canaries name their paths inside the scratch mount, so the sandbox's place is fixed first.
    const place = Sandbox.plan();
    const { policy, canaries, skipped } = stage(stageDir, place.scratch, mode);
    sandbox = await Sandbox.start({ stage: stageDir, policyFile: policy, place });
    const cases: SelftestCase[] = [];
    for (const [i, k] of canaries.entries()) {
      const r = sandbox.run(k.cmd, k.args, k.input);
      const ran = r.status === 0 && (k.marker === '' || r.stdout.includes(k.marker));
      const rec = (await sandbox.waitForEvent(
        (e: Ev) => e.process?.executable === k.exe && e.execguard?.decision?.effect !== 'allowed' && !seen.has(e.event?.id),
        k.expect === 'blocked' ? 3000 : 300,
      )) as Ev | undefined;
      if (rec) seen.add(rec.event?.id);
      const recorded = rec?.execguard?.decision?.effect as string | undefined;
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
      o.onProgress?.(i + 1, canaries.length);
    }
    const agent = sandbox.events().length;
    await sandbox.stopGracefully();
    return { mode, passed: cases.every((c) => c.passed), cases, skipped, agent: { events: agent } };
  } finally {
    sandbox?.stop();
    rmSync(base, { recursive: true, force: true });
  }
}
