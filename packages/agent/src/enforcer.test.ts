// The enforcer against real executions, each test in its own private mount namespace (Sandbox):
// the bypass battery in enforce and audit mode, SIGKILL of the agent, a busy JavaScript main thread,
// the bounded record queue, and a policy reload without restart. Needs root; skipped elsewhere.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { runSelftest, Sandbox, sandboxSupported } from './index.js';

const support = sandboxSupported();
const skip = support.ok ? false : `cannot enforce here: ${support.why}`;
const INDEX = join(dirname(fileURLToPath(import.meta.url)), 'index.js');
const sha256 = (f: string) => createHash('sha256').update(readFileSync(f)).digest('hex');

const MUST_BLOCK = [
  'untrusted ELF in a writable directory',
  'tampered binary (same size) at an allowed location',
  'bash untrusted.sh',
  'script piped to bash (cat x.sh | bash)',
  'python3 -c inline code',
  'python3 untrusted.py (no shebang)',
  'direct loader invocation (ld.so ./untrusted)',
  'memfd execution (fileless)',
  'allowed interpreter copied and renamed into a writable directory',
  'allowed loader copied and renamed into a writable directory',
];

for (const mode of ['enforce', 'audit'] as const) {
  test(`bypass battery (${mode}): every canary ${mode === 'enforce' ? 'is denied' : 'runs and is recorded as would-deny'}; approved programs and scripts run`, {
    skip,
  }, async () => {
    const report = await runSelftest({ mode });
    const failed = report.cases.filter((c) => !c.passed).map((c) => `${c.name}: ${c.detail}`);
    assert.deepEqual(failed, []);
    const names = new Set(report.cases.map((c) => c.name));
    for (const n of MUST_BLOCK) assert.ok(names.has(n), `the battery includes "${n}"`);
    for (const c of report.cases.filter((x) => x.expect === 'blocked')) {
      assert.equal(c.recorded, mode === 'enforce' ? 'denied' : 'would-deny', c.name);
    }
    assert.ok(report.cases.filter((c) => c.expect === 'runs').length >= 3, 'approved programs and scripts are part of the run');
  });
}

/** A stage with an allowed copy of `true` and a denied one, and a policy for them. */
function fixture(mode: 'audit' | 'enforce'): { stage: string; policy: string; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'execguard-enforcer-test-'));
  const stage = join(dir, 'stage');
  mkdirSync(stage);
  copyFileSync('/usr/bin/true', join(stage, 'allowed'));
  writeFileSync(join(stage, 'denied'), Buffer.concat([readFileSync('/usr/bin/true'), Buffer.from('x')]), { mode: 0o755 });
  const policy = join(dir, 'policy.json');
  writeFileSync(
    policy,
    JSON.stringify({
      apiVersion: 'execguard.io/v1',
      kind: 'Policy',
      metadata: { name: 'enforcer-test', version: 1 },
      defaults: { mode, failMode: 'open' },
      rules: [
        { id: 'allow-system', action: 'allow', match: { program: { path: ['/usr/bin/*'] } } },
        { id: 'allow-copy', action: 'allow', match: { program: { sha256: [sha256(join(stage, 'allowed'))] } } },
      ],
    }),
  );
  return { stage, policy, dir };
}

test('SIGKILL of the agent never leaves the host blocked', { skip }, async () => {
  const f = fixture('enforce');
  const sb = await Sandbox.start({ stage: f.stage, policyFile: f.policy });
  try {
    assert.ok(sb.run(`${sb.scratch}/denied`).blocked, 'denied before the kill');
    assert.equal(sb.run(`${sb.scratch}/allowed`).status, 0);
    // Kill while executions are in flight: a burst of them in the background.
    const burst = Array.from({ length: 20 }, () => sb.run('/usr/bin/true').status);
    sb.kill('SIGKILL');
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(sb.alive, false);
    assert.ok(burst.every((s) => s === 0));
    const after = sb.run(`${sb.scratch}/denied`, [], undefined, 10_000);
    assert.equal(after.status, 0, `with the agent dead the kernel allows (fail-open): ${after.stderr}`);
    assert.equal(sb.run('/usr/bin/true', [], undefined, 10_000).status, 0);
  } finally {
    sb.stop();
    rmSync(f.dir, { recursive: true, force: true });
  }
});

test('a busy-looping JavaScript main thread does not stall executions; the record queue drops, counted', { skip }, async () => {
  const f = fixture('enforce');
  const script = join(f.dir, 'busy-agent.mjs');
  writeFileSync(
    script,
    `import { Agent } from ${JSON.stringify(INDEX)};
const a = new Agent({ policyFile: process.argv[2], spoolDir: process.env.EG_SPOOL, watch: [process.env.EG_SCRATCH],
  libc: [process.env.EG_LIBC], recordCap: 4, drainMs: 3600000 });
await a.start();
process.stderr.write('ready\\n');
const end = Date.now() + Number(process.argv[3]);
while (Date.now() < end) {} // the main thread never yields: no drain, no timers
process.stderr.write('STATS ' + JSON.stringify(a.stats()) + '\\n');
a.stop();
`,
  );
  const sb = await Sandbox.start({
    stage: f.stage,
    policyFile: f.policy,
    agentCommand: [process.execPath, script, f.policy, '6000'],
  });
  try {
    await new Promise((r) => setTimeout(r, 300)); // the agent is now inside its busy loop
    const results = [];
    for (let i = 0; i < 6; i++) {
      results.push(sb.run(`${sb.scratch}/allowed`, [], undefined, 5_000).status);
      results.push(sb.run(`${sb.scratch}/denied`, [], undefined, 5_000).blocked);
    }
    assert.deepEqual(
      results,
      Array.from({ length: 6 }, () => [0, true]).flat(),
      'allowed ran and denied was blocked while JS was busy',
    );
    const deadline = Date.now() + 20_000;
    while (!sb.agentLog.includes('STATS ') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    const stats = JSON.parse(sb.agentLog.split('STATS ')[1]?.split('\n')[0] ?? '{}');
    assert.ok(stats.decisions >= 12, `decisions made by the core: ${stats.decisions}`);
    assert.ok(stats.recordsDropped > 0, `records beyond the cap were dropped and counted (${stats.recordsDropped})`);
    assert.equal(stats.mismatches, 0);
  } finally {
    sb.stop();
    rmSync(f.dir, { recursive: true, force: true });
  }
});

test('a new policy applies without restart: audit to enforce, then back', { skip }, async () => {
  const f = fixture('audit');
  const sb = await Sandbox.start({ stage: f.stage, policyFile: f.policy });
  try {
    assert.equal(sb.run(`${sb.scratch}/denied`).status, 0, 'audit: runs');
    const doc = JSON.parse(readFileSync(f.policy, 'utf8'));
    writeFileSync(
      f.policy,
      JSON.stringify({ ...doc, defaults: { ...doc.defaults, mode: 'enforce' }, metadata: { ...doc.metadata, version: 2 } }),
    );
    const reloaded = await sb.waitForEvent(() => /policy reloaded/.test(sb.agentLog), 10_000);
    assert.ok(reloaded !== undefined || /policy reloaded/.test(sb.agentLog), 'the agent reloaded the policy');
    assert.ok(sb.run(`${sb.scratch}/denied`).blocked, 'enforce: blocked, same agent process');
    // The same policy written again (as a re-delivered bundle does) is not a new policy.
    const reloads = () => sb.agentLog.split('policy reloaded').length - 1;
    const before = reloads();
    writeFileSync(f.policy, readFileSync(f.policy));
    await new Promise((r) => setTimeout(r, 2500));
    assert.equal(reloads(), before, 'an unchanged policy file is not reloaded');
    writeFileSync(f.policy, '{ not a policy');
    await new Promise((r) => setTimeout(r, 2500));
    assert.match(sb.agentLog, /policy reload refused/);
    assert.ok(sb.run(`${sb.scratch}/denied`).blocked, 'an invalid file keeps the running policy');
    const events = sb.events() as Array<{ execguard?: { policy_version?: number; semantics_mismatch?: unknown } }>;
    const versions = new Set(events.map((e) => e.execguard?.policy_version));
    assert.ok(versions.has(1) && versions.has(2), 'events name the policy version that decided them');
    assert.equal(events.filter((e) => e.execguard?.semantics_mismatch).length, 0);
  } finally {
    sb.stop();
    rmSync(f.dir, { recursive: true, force: true });
  }
});

test('policy reloads apply in order: a slow reload (package rules) is never overtaken by a later one', { skip }, async () => {
  const f = fixture('enforce');
  // /usr/lib makes lowering a policy with package rules take seconds (the first package scan).
  const sb = await Sandbox.start({ stage: f.stage, policyFile: f.policy, agentArgs: ['--package-root', '/usr/lib'] });
  try {
    const doc = JSON.parse(readFileSync(f.policy, 'utf8'));
    const version = (v: number, rule: object) => ({
      ...doc,
      metadata: { ...doc.metadata, version: v },
      rules: [...doc.rules, rule],
    });
    const packages = {
      id: 'allow-coreutils',
      action: 'allow',
      match: { program: { package: { manager: 'dpkg', names: ['coreutils'] } } },
    };
    const denied = { id: 'allow-denied', action: 'allow', match: { program: { sha256: [sha256(join(f.stage, 'denied'))] } } };
    writeFileSync(f.policy, JSON.stringify(version(2, packages)));
    await new Promise((r) => setTimeout(r, 2000)); // the agent polls the file every second: v2 is being lowered
    writeFileSync(f.policy, JSON.stringify(version(3, denied)));
    const reloaded = () => [...sb.agentLog.matchAll(/policy reloaded: \S+ v(\d+)/g)].map((m) => Number(m[1]));
    const until = async (done: () => boolean, ms: number) => {
      for (const deadline = Date.now() + ms; !done() && Date.now() < deadline; ) await new Promise((r) => setTimeout(r, 100));
    };
    await until(() => reloaded().includes(3), 60_000);
    // v2 lands before v3 (in order) or, were reloads able to overtake each other, after it.
    await until(() => reloaded().includes(2), 15_000);
    assert.equal(reloaded().at(-1), 3, `the last reload is the newest policy: ${sb.agentLog}`);
    const run = sb.run(`${sb.scratch}/denied`);
    assert.equal(run.status, 0, `the newest policy (v3) decides the next execution: ${run.stderr}`);
  } finally {
    sb.stop();
    rmSync(f.dir, { recursive: true, force: true });
  }
});

type Recorded = {
  process?: { executable?: string; args?: string[]; parent?: { executable?: string } };
  user?: { id?: string };
  event?: { outcome?: string };
  execguard?: { repeated?: { count: number; first: string } };
};

for (const summarySeconds of ['60', '0']) {
  test(`repeated allowed executions ${summarySeconds === '0' ? 'are each recorded with --summary-seconds 0' : 'are recorded once, then summarised with a count'}; denials always each`, {
    skip,
  }, async () => {
    const f = fixture('enforce');
    const sb = await Sandbox.start({ stage: f.stage, policyFile: f.policy, agentArgs: ['--summary-seconds', summarySeconds] });
    try {
      // A program that outlives the record's reading of its user and parent (read after the answer: a
      // process gone by then has neither, and is recorded apart from those whose user is known).
      const nap = ['/usr/bin/sleep', '0.2'];
      for (let i = 0; i < 5; i++) assert.equal(sb.run(nap[0]!, nap.slice(1)).status, 0);
      for (let i = 0; i < 2; i++) assert.equal(sb.run(nap[0]!, ['0.25']).status, 0);
      // The same command as another user (setpriv executes it in its own process), and from another parent (timeout runs it as its child).
      for (let i = 0; i < 2; i++) {
        const r = sb.run('/usr/bin/setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', ...nap]);
        assert.equal(r.status, 0, r.stderr);
      }
      for (let i = 0; i < 2; i++) assert.equal(sb.run('/usr/bin/timeout', ['10', ...nap]).status, 0);
      for (let i = 0; i < 3; i++) assert.ok(sb.run(`${sb.scratch}/denied`).blocked);
      await sb.stopAgent(); // the agent closes open windows when it stops
      const events = (sb.events() as Recorded[]).filter(
        (e) => e.process?.executable?.startsWith(sb.scratch) || e.process?.executable === nap[0],
      );
      const of = (seconds: string) => events.filter((e) => e.process?.executable === nap[0] && e.process?.args?.[1] === seconds);
      const byNobody = (e: Recorded) => e.user?.id === '65534';
      const fromTimeout = (e: Recorded) => e.process?.parent?.executable === '/usr/bin/timeout';
      const plain = of('0.2').filter((e) => !byNobody(e) && !fromTimeout(e));
      const nobody = of('0.2').filter(byNobody);
      const timeout = of('0.2').filter(fromTimeout);
      const withArg = of('0.25');
      const denials = events.filter((e) => e.event?.outcome === 'failure');
      assert.equal(denials.length, 3, `every denial is its own record: ${JSON.stringify(events, null, 1)}`);
      if (summarySeconds === '0') {
        assert.equal(plain.length, 5);
        assert.equal(withArg.length, 2);
        assert.equal(nobody.length, 2);
        assert.equal(timeout.length, 2);
        assert.ok(events.every((e) => e.execguard?.repeated === undefined));
      } else {
        assert.deepEqual(
          plain.map((e) => e.execguard?.repeated?.count ?? 0),
          [0, 4],
          'the first execution recorded, the next four in one summary',
        );
        assert.deepEqual(
          withArg.map((e) => e.execguard?.repeated?.count ?? 0),
          [0, 1],
          'other arguments: a record of their own',
        );
        const counts = (list: Recorded[]) => list.map((e) => e.execguard?.repeated?.count ?? 0);
        assert.deepEqual(counts(nobody), [0, 1], `another user: a record of its own ${JSON.stringify(nobody)}`);
        assert.deepEqual(counts(timeout), [0, 1], `another parent: a record of its own ${JSON.stringify(timeout)}`);
      }
    } finally {
      sb.stop();
      rmSync(f.dir, { recursive: true, force: true });
    }
  });
}

for (const failMode of ['open', 'closed'] as const) {
  test(`the watchdog replaces a stuck enforcer loop (fail-${failMode}): the stuck execution gets the fail mode, enforcement goes on`, {
    skip,
  }, async () => {
    const f = fixture('enforce');
    const doc = JSON.parse(readFileSync(f.policy, 'utf8'));
    writeFileSync(f.policy, JSON.stringify({ ...doc, defaults: { ...doc.defaults, failMode } }));
    // A static program: its exec-time decision is final (no libc check, no retry by the loader).
    copyFileSync('/sbin/ldconfig', join(f.stage, 'stall'));
    const policy = JSON.parse(readFileSync(f.policy, 'utf8'));
    policy.rules.push({ id: 'allow-static', action: 'allow', match: { program: { sha256: [sha256(join(f.stage, 'stall'))] } } });
    writeFileSync(f.policy, JSON.stringify(policy));
    const place = Sandbox.plan();
    const sb = await Sandbox.start({
      stage: f.stage,
      policyFile: f.policy,
      place,
      agentArgs: ['--watchdog-ms', '500'],
      env: { EXECGUARD_FAILPOINT_STALL: join(place.scratch, 'stall') },
    });
    try {
      const stuck = sb.run(join(sb.scratch, 'stall'), ['-p'], undefined, 15_000);
      if (failMode === 'open') assert.equal(stuck.status, 0, `fail-open lets the stuck execution run: ${stuck.stderr}`);
      else assert.ok(stuck.blocked, `fail-closed refuses the stuck execution: ${stuck.stderr}`);
      assert.equal(sb.run(`${sb.scratch}/allowed`, [], undefined, 15_000).status, 0, 'after the restart allowed programs run');
      assert.ok(sb.run(`${sb.scratch}/denied`, [], undefined, 15_000).blocked, 'and the replacement loop enforces');
      await sb.stopGracefully();
      const restarts = Number(/(\d+) watchdog restarts/.exec(sb.agentLog)?.[1]);
      assert.ok(restarts >= 1, `watchdog restarts: ${restarts}\n${sb.agentLog}`);
    } finally {
      sb.stop();
      rmSync(f.dir, { recursive: true, force: true });
    }
  });
}

test('selftest against the running agent: bypass canaries under its own policy, approved commands run', { skip }, async () => {
  const f = fixture('enforce');
  const cli = join(dirname(INDEX), '..', '..', 'cli', 'dist', 'main.js');
  const policy = JSON.parse(readFileSync(f.policy, 'utf8'));
  // The selftest itself is a node script: the running policy approves it, as a plant's would approve its tools.
  policy.rules.push({ id: 'allow-cli', action: 'allow', match: { script: { sha256: [sha256(cli)] } } });
  writeFileSync(f.policy, JSON.stringify(policy));
  const place = Sandbox.plan();
  const runtime = join(place.scratch, 'agent.json');
  const sb = await Sandbox.start({ stage: f.stage, policyFile: f.policy, place, agentArgs: ['--runtime-file', runtime] });
  try {
    const r = sb.run(
      process.execPath,
      [
        cli,
        'agent',
        'selftest',
        '--runtime-file',
        runtime,
        '--work-dir',
        join(place.scratch, 'tmp'),
        '--approved',
        '/usr/bin/true',
        '--json',
      ],
      undefined,
      120_000,
    );
    const report = JSON.parse(r.stdout || '{}');
    assert.equal(report.target, 'running-agent', r.stderr);
    assert.deepEqual(
      report.cases.filter((c: { passed: boolean }) => !c.passed),
      [],
    );
    assert.equal(r.status, 0);
    assert.ok(report.cases.length >= 12, `${report.cases.length} cases`);
  } finally {
    sb.stop();
    rmSync(f.dir, { recursive: true, force: true });
  }
});
