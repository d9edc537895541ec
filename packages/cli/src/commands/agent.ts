import { existsSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import {
  Agent,
  PolicyFileError,
  RUNTIME_FILE,
  raiseMemfdNoexec,
  runningAgent,
  runSelftest,
  ServerLink,
  sandboxSupported,
} from '@execguard/agent';
import { type Command, Option } from 'commander';
import { EXIT, UserError } from '../errors.js';

interface RunOptions {
  policy?: string;
  server?: string;
  enrolTokenFile?: string;
  state: string;
  serverCa?: string;
  trustedKey?: string;
  syncSeconds: string;
  runtimeFile: string;
  mode?: 'audit' | 'enforce';
  events: string;
  watch?: string[];
  libc?: string[];
  hostId?: string;
  role?: string;
  label?: string[];
  deadlineMs: string;
  watchdogMs: string;
  recordCap: string;
  summarySeconds: string;
  packageRoot?: string[];
  memfdNoexec?: boolean;
  json?: boolean;
}

/** --memfd-noexec: memory files become non-executable host-wide (the gap fanotify cannot close). */
function hardenMemfd(log: (l: string) => void): void {
  let r: ReturnType<typeof raiseMemfdNoexec>;
  try {
    r = raiseMemfdNoexec();
  } catch (e) {
    throw new UserError(
      `--memfd-noexec: cannot set vm.memfd_noexec (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
      EXIT.FINDING,
    );
  }
  if (r.after === null)
    throw new UserError('--memfd-noexec: this kernel has no vm.memfd_noexec (Linux 6.3 or later)', EXIT.FINDING);
  if (r.after < 2) throw new UserError(`--memfd-noexec: vm.memfd_noexec stayed at ${r.after}`, EXIT.FINDING);
  log(
    r.before === r.after
      ? 'vm.memfd_noexec is 2 already'
      : `vm.memfd_noexec raised from ${r.before} to 2 (memory files cannot be executed)`,
  );
}

const positive = (name: string, v: string) => {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new UserError(`${name}: expected a positive number, got "${v}"`);
  return n;
};

const nonNegative = (name: string, v: string) => {
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new UserError(`${name}: expected a number ≥ 0, got "${v}"`);
  return n;
};

function labelsOf(list: readonly string[] | undefined): { labels?: Record<string, string> } {
  if (!list?.length) return {};
  const out: Record<string, string> = {};
  for (const l of list) {
    const i = l.indexOf('=');
    if (i <= 0) throw new UserError(`--label ${l}: expected KEY=VALUE`);
    out[l.slice(0, i)] = l.slice(i + 1);
  }
  return { labels: out };
}

const readText = (flag: string, file: string) => {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw new UserError(`${flag} ${file}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
};

/** Enrols when needed and installs the server's bundle; returns the link and the policy file to enforce. */
async function connect(
  o: RunOptions,
  hostId: string,
  log: (l: string) => void,
): Promise<{ link: ServerLink; policyFile: string }> {
  const link = new ServerLink({
    server: o.server as string,
    stateDir: o.state,
    hostId,
    hostName: hostname(),
    ...(o.serverCa ? { ca: readText('--server-ca', o.serverCa) } : {}),
    ...(o.trustedKey ? { trustedKeyPem: readText('--trusted-key', o.trustedKey) } : {}),
    log,
  });
  if (!link.enrolled()) {
    // The one-time token comes from a file or the environment, never the command line (ps shows argv).
    const token = o.enrolTokenFile ? readText('--enrol-token-file', o.enrolTokenFile).trim() : process.env.EXECGUARD_ENROL_TOKEN;
    if (!token)
      throw new UserError('--server: this host is not enrolled yet; give --enrol-token-file FILE or EXECGUARD_ENROL_TOKEN');
    try {
      await link.enrol(token);
    } catch (e) {
      throw new UserError(`enrolment failed: ${(e as Error).message}`, EXIT.FINDING);
    }
  }
  try {
    await link.pullBundle({ id: hostId });
  } catch (e) {
    log(`no bundle from the server yet: ${(e as Error).message}`);
  }
  if (existsSync(link.policyFile)) return { link, policyFile: link.policyFile };
  if (o.policy) return { link, policyFile: o.policy };
  throw new UserError('--server: the server has published no policy for this host yet and no --policy was given', EXIT.FINDING);
}

async function run(o: RunOptions): Promise<void> {
  const log = (line: string) => process.stderr.write(`execguard agent: ${line}\n`);
  if (!o.policy && !o.server) throw new UserError('give --policy FILE, --server URL, or both');
  const hostId = o.hostId ?? hostname();
  if (o.memfdNoexec) hardenMemfd(log);
  const connected = o.server ? await connect(o, hostId, log) : undefined;
  const agent = new Agent({
    policyFile: connected?.policyFile ?? (o.policy as string),
    link: connected?.link,
    syncMs: positive('--sync-seconds', o.syncSeconds) * 1000,
    mode: o.mode,
    spoolDir: o.events,
    watch: o.watch,
    libc: o.libc,
    host: { id: hostId, ...(o.role ? { role: o.role } : {}), ...labelsOf(o.label) },
    deadlineMs: positive('--deadline-ms', o.deadlineMs),
    watchdogMs: positive('--watchdog-ms', o.watchdogMs),
    recordCap: positive('--record-cap', o.recordCap),
    summaryMs: nonNegative('--summary-seconds', o.summarySeconds) * 1000,
    packageRoots: o.packageRoot,
    runtimeFile: o.runtimeFile,
    log,
  });
  try {
    await agent.start();
  } catch (e) {
    if (e instanceof PolicyFileError) throw new UserError(e.message);
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new UserError(`policy ${o.policy}: no such file`);
    throw new UserError(`cannot enforce: ${(e as Error).message}`, EXIT.FINDING);
  }
  log('ready');
  if (connected) void agent.sync();
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
  await agent.sync();
  agent.stop();
  const stats = agent.stats();
  if (o.json) process.stdout.write(`${JSON.stringify(stats)}\n`);
  else
    log(
      `stopped: ${stats.decisions} decisions (${stats.denied} denied, ${stats.wouldDeny} would-deny), ${stats.spooled} events spooled, ${stats.restarts} watchdog restarts, ${stats.recordsDropped} records dropped`,
    );
}

export function registerAgent(program: Command): void {
  const agent = program.command('agent').description('the Linux enforcer: run it, or prove that it blocks what it must');
  agent
    .command('run')
    .description('enforce a policy on this host with the native fanotify core (root)')
    .option('--policy <file>', 'policy file (YAML or JSON); reloaded without a gap when it changes')
    .option('--server <url>', 'control server: enrol, enforce its signed bundles, upload events')
    .option('--enrol-token-file <file>', 'one-time enrolment token (first start only; or EXECGUARD_ENROL_TOKEN)')
    .option('--state <dir>', 'credential, pinned server key, bundle state and installed policy', '/var/lib/execguard/agent')
    .option('--server-ca <file>', 'CA certificate (PEM) for an https server with its own CA')
    .option('--trusted-key <file>', 'server signing key (PEM) known out of band; default: pinned at enrolment')
    .option('--sync-seconds <s>', 'how often to check in, pull the bundle and upload events', '30')
    .addOption(new Option('--mode <mode>', 'override the policy scope mode').choices(['audit', 'enforce']))
    .option(
      '--events <dir>',
      'spool directory for decided executions (append-only JSON lines segments)',
      '/var/lib/execguard/spool',
    )
    .option('--watch <mount...>', 'mounts to mark for exec checks (default: every mount that can execute)')
    .option('--libc <file...>', 'C library files to mark for the post-exec check (default: the libc this process maps)')
    .option('--host-id <id>', 'host id for scope selectors (default: the host name)')
    .option('--role <role>', 'host role for scope selectors')
    .option('--label <key=value...>', 'host labels for scope selectors')
    .option('--deadline-ms <ms>', 'answer with the fail mode when a decision takes longer', '250')
    .option('--watchdog-ms <ms>', 'replace the enforcer loop when one event is stuck this long', '2000')
    .option('--record-cap <n>', 'decided executions buffered for the spool before they are counted and dropped', '65536')
    .option(
      '--summary-seconds <s>',
      'count repeated identical allowed executions (same program, arguments, script, rule, user and parent) for this long and record one summary (0: record every execution)',
      '60',
    )
    .option('--package-root <dir...>', 'roots scanned for package files when the policy has package identities')
    .option('--runtime-file <file>', 'where the running agent announces itself to `agent selftest`', RUNTIME_FILE)
    .option(
      '--memfd-noexec',
      'set vm.memfd_noexec to 2 first: no memory file can be executed (closes static-program memfd execution, which fanotify cannot see; stays set after the agent stops; breaks software that executes memfds)',
    )
    .option('--json', 'print the final statistics as JSON')
    .addHelpText(
      'after',
      '\nPrints "ready" on stderr once enforcement is in place; SIGTERM or SIGINT stops it (the kernel then allows\neverything: stopping never blocks the host).\nExit codes: 0 stopped cleanly; 1 enforcement could not start (fanotify, permissions); 2 invalid policy or options.',
    )
    .action(run);
  agent
    .command('selftest')
    .description(
      'prove approved tools run and unapproved code is blocked: against the running agent, or a temporary one in a private mount namespace',
    )
    .addOption(
      new Option(
        '--mode <mode>',
        'temporary agent: enforce (canaries must be blocked) or audit (they run, recorded as would-deny)',
      )
        .choices(['audit', 'enforce'])
        .default('enforce'),
    )
    .option('--sandbox', 'use a temporary agent even when one is running')
    .option('--runtime-file <file>', "the running agent's runtime file", RUNTIME_FILE)
    .option(
      '--approved <command...>',
      'running agent: commands its policy approves (each must run), e.g. --approved "/usr/bin/systemctl --version"',
    )
    .option('--work-dir <dir>', 'running agent: where canaries are written (a writable directory on a watched mount)')
    .option('--json', 'print the report as JSON')
    .addHelpText(
      'after',
      '\nAgainst the running agent the canaries run on this host under its policy and mode (blocked in enforce,\nrecorded as would-deny in audit). Exit codes: 0 every case passed; 1 a case failed; 2 the selftest cannot run here.',
    )
    .action(
      async (o: {
        mode: 'audit' | 'enforce';
        sandbox?: boolean;
        runtimeFile: string;
        approved?: string[];
        workDir?: string;
        json?: boolean;
      }) => {
        const running = o.sandbox ? undefined : runningAgent(o.runtimeFile);
        if (!running) {
          const support = sandboxSupported();
          if (!support.ok) throw new UserError(`selftest cannot run: ${support.why}`);
        }
        const tty = process.stderr.isTTY && !o.json;
        const report = await runSelftest({
          mode: o.mode,
          ...(running ? { running } : {}),
          ...(o.approved ? { approved: o.approved.map((c) => c.split(' ').filter(Boolean)) } : {}),
          ...(o.workDir ? { workDir: o.workDir } : {}),
          ...(tty ? { onProgress: (d: number, t: number) => process.stderr.write(`\r  ${d}/${t} cases`) } : {}),
        });
        if (tty) process.stderr.write('\n');
        if (o.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
        else {
          for (const c of report.cases) process.stdout.write(`${c.passed ? 'PASS' : 'FAIL'}  ${c.name} — ${c.detail}\n`);
          for (const s of report.skipped) process.stdout.write(`SKIP  ${s.name} — ${s.why}\n`);
          process.stdout.write(
            `${report.passed ? 'selftest passed' : 'selftest FAILED'} (${report.target}, ${report.mode}, ${report.cases.length} cases)\n`,
          );
        }
        if (!report.passed) process.exitCode = EXIT.FINDING;
      },
    );
}
