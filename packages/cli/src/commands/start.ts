import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkExpectation, compile, decide } from '@execguard/engine';
import { defaultCatalogue } from '@execguard/knowledge';
import type { ExecEvent } from '@execguard/schema';
import type { Command } from 'commander';
import { EXIT, UserError } from '../errors.js';
import { isBad, loadHosts, loadPolicy, readEvents, readTextFile } from '../io.js';
import { Uploader } from '../upload.js';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');
const MAIN = join(dirname(fileURLToPath(import.meta.url)), '..', 'main.js');

interface StartOptions {
  examples: string;
  data: string;
  port: string;
  host: string;
  agent: boolean;
  once?: boolean;
  json?: boolean;
}

interface PolicyCheck {
  readonly policy: string;
  readonly file: string;
  readonly tests: number;
  readonly failed: number;
  readonly decisions: Record<string, number>;
}

/** The example policies: valid, their stored tests pass; their sample events decided. */
async function checkExamples(
  o: StartOptions,
  say: (line: string) => void,
): Promise<{ checks: PolicyCheck[]; events: ExecEvent[] }> {
  const policyDir = join(o.examples, 'policies');
  const hosts = loadHosts(join(o.examples, 'hosts.yaml'));
  const checks: PolicyCheck[] = [];
  const events: ExecEvent[] = [];
  for (const name of readdirSync(policyDir)
    .filter((f) => /\.(ya?ml|json)$/.test(f))
    .sort()) {
    const file = join(policyDir, name);
    const policy = loadPolicy(file);
    const compiled = compile(policy, { catalogue: defaultCatalogue });
    const tests = policy.tests ?? [];
    const failed = tests.filter((t) => {
      const d = decide(compiled, t.event as never, {
        now: t.now ? Date.parse(t.now) : Date.now(),
        ...(t.host ? { host: t.host } : {}),
      });
      return checkExpectation(t.expect, d).length > 0;
    }).length;
    const decisions: Record<string, number> = {};
    const eventsFile = join(o.examples, 'events', name.replace(/\.(ya?ml|json)$/, '.jsonl'));
    if (existsSync(eventsFile)) {
      for await (const item of readEvents(eventsFile)) {
        if (isBad(item)) continue;
        const host = hosts.get(item.event.host?.id ?? '');
        const at = item.event['@timestamp'] ? Date.parse(item.event['@timestamp']) : Date.now();
        const d = decide(compiled, item.event, { now: at, ...(host ? { host } : {}) });
        decisions[d.effect] = (decisions[d.effect] ?? 0) + 1;
        events.push({
          ...item.event,
          execguard: { ...(item.event.execguard ?? {}), decision: d, source_format: 'execguard-sample' },
          ...(d.techniques.length ? { threat: { technique: { id: [...d.techniques] } } } : {}),
        } as ExecEvent);
      }
    }
    checks.push({ policy: policy.metadata.name, file: relative(process.cwd(), file), tests: tests.length, failed, decisions });
    say(
      `${relative(process.cwd(), file)}: ${policy.metadata.name} v${policy.metadata.version} — tests ${tests.length - failed}/${tests.length} pass; sample decisions ${JSON.stringify(decisions)}`,
    );
  }
  return { checks, events };
}

interface Child {
  readonly proc: ChildProcess;
  readonly firstLine: Promise<string>;
}

/** Starts `execguard …` as a child; resolves with its first stdout line, relays stderr. */
function child(args: readonly string[], label: string, quiet: boolean): Child {
  const proc = spawn(process.execPath, [MAIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const firstLine = new Promise<string>((resolve, reject) => {
    proc.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const nl = out.indexOf('\n');
      if (nl >= 0) resolve(out.slice(0, nl));
    });
    proc.once('exit', (code) => reject(new Error(`${label} exited (${code}) before it was ready`)));
  });
  // Only the server's first line is awaited; the agent's stdout stays empty until it stops, so its
  // rejection at shutdown must not become an unhandled one.
  firstLine.catch(() => undefined);
  proc.stderr?.on('data', (d: Buffer) => {
    if (!quiet) for (const line of d.toString().split('\n')) if (line) process.stderr.write(`[${label}] ${line}\n`);
  });
  return { proc, firstLine };
}

async function api(
  url: string,
  token: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: unknown }> {
  const r = await fetch(new URL(path, url), {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await r.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // keep the text
  }
  return { status: r.status, body: parsed };
}

/** First start: the example policies as versions (the gateway one published), the sample events. */
async function seed(
  url: string,
  token: string,
  o: StartOptions,
  events: readonly ExecEvent[],
  say: (l: string) => void,
): Promise<void> {
  for (const name of readdirSync(join(o.examples, 'policies')).filter((f) => /\.ya?ml$/.test(f))) {
    const r = await api(url, token, 'POST', '/v1/policies', { text: readTextFile(join(o.examples, 'policies', name)) });
    if (r.status >= 300) throw new Error(`adding ${name}: ${r.status} ${JSON.stringify(r.body)}`);
    const v = r.body as { name?: string; version?: number };
    if (name.startsWith('linux') && v.name && v.version !== undefined) {
      const p = await api(url, token, 'POST', `/v1/policies/${v.name}/versions/${v.version}/publish`);
      if (p.status >= 300) throw new Error(`publishing ${name}: ${p.status} ${JSON.stringify(p.body)}`);
    }
  }
  const up = new Uploader(url, token, 500);
  for (const e of events) await up.add(e);
  await up.flush();
  say(`seeded: example policies, ${up.uploaded} sample events`);
}

/** Root on Linux with the native core built: a local agent in audit mode, enrolled to this server. */
function agentPossible(): string | undefined {
  if (process.platform !== 'linux') return 'not Linux';
  if (process.getuid?.() !== 0) return 'not root (the agent needs CAP_SYS_ADMIN)';
  if (!existsSync(join(repoRoot, 'packages', 'agent', 'build', 'Release', 'execguard_core.node'))) return 'native core not built';
  return undefined;
}

async function startAgent(
  url: string,
  token: string,
  o: StartOptions,
  quiet: boolean,
  say: (l: string) => void,
): Promise<Child | undefined> {
  const why = agentPossible();
  if (why) {
    say(`local agent: not started (${why})`);
    return undefined;
  }
  const dir = join(o.data, 'agent');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const tokenFile = join(dir, 'enrol-token');
  if (!existsSync(join(dir, 'credential'))) {
    const r = await api(url, token, 'POST', '/v1/enrolment-tokens', { ttlHours: 1 });
    if (r.status !== 201) throw new Error(`enrolment token: ${r.status} ${JSON.stringify(r.body)}`);
    writeFileSync(tokenFile, (r.body as { token: string }).token, { mode: 0o600 });
  }
  const c = child(
    [
      'agent',
      'run',
      '--server',
      url,
      '--enrol-token-file',
      tokenFile,
      '--state',
      dir,
      '--events',
      join(dir, 'spool'),
      '--runtime-file',
      join(dir, 'agent.json'),
      '--policy',
      join(o.examples, 'policies', 'linux-gateway.yaml'),
      '--mode',
      'audit',
      '--sync-seconds',
      '10',
    ],
    'agent',
    quiet,
  );
  // The agent reports on stderr; its stdout stays empty until it stops.
  await new Promise<void>((resolve, reject) => {
    let err = '';
    c.proc.stderr?.on('data', (d: Buffer) => {
      err += d.toString();
      if (/\bready\b/.test(err)) resolve();
    });
    c.proc.once('exit', (code) => reject(new Error(`the agent exited (${code}): ${err.trim().split('\n').at(-1) ?? ''}`)));
  });
  say('local agent: running in audit mode, enrolled; its events reach the console within seconds');
  return c;
}

/**
 * The main job on the embedded default: check the example policies, run the control server on
 * SQLite with the web console, seed it on first start, and — as root on Linux — a local agent in
 * audit mode enrolled to it. Runs until SIGINT/SIGTERM (`--once`: set up, check, stop).
 */
export function registerStart(program: Command): void {
  program
    .command('start')
    .description('run the main job: example checks, the control server on SQLite with the console, a local audit agent (root)')
    .option('--examples <dir>', 'examples directory', join(repoRoot, 'examples'))
    .option('--data <dir>', "where the database, keys and the local agent's state live", join(repoRoot, '.execguard'))
    .option('--port <n>', 'server port', process.env.EXECGUARD_PORT ?? '8443')
    .option('--host <addr>', 'address to listen on', '127.0.0.1')
    .option('--no-agent', 'do not start the local agent')
    .option('--once', 'start, seed and check everything, then stop (smoke test)')
    .option('--json', 'print a JSON summary')
    .addHelpText(
      'after',
      '\nThe bootstrap admin token is printed on the first start and kept in DATA/admin-token (mode 0600) for this\nlocal setup. Exit codes: 0 ran (and stopped) cleanly; 1 an example policy test fails or a part did not start;\n2 invalid input.',
    )
    .action(async (o: StartOptions) => {
      const quiet = o.json === true;
      const say = (line: string) => quiet || process.stdout.write(`${line}\n`);
      const { checks, events } = await checkExamples(o, say);
      if (checks.some((c) => c.failed > 0)) {
        if (o.json) process.stdout.write(`${JSON.stringify({ policies: checks })}\n`);
        throw new UserError('an example policy test fails', EXIT.FINDING);
      }
      mkdirSync(o.data, { recursive: true, mode: 0o700 });
      const server = child(
        ['serve', '--db', `sqlite:${join(o.data, 'execguard.db')}`, '--port', o.port, '--host', o.host, '--json'],
        'server',
        quiet,
      );
      let info: { listening: string; bootstrapToken: string | null };
      try {
        info = JSON.parse(await server.firstLine);
      } catch (e) {
        throw new UserError(`the server did not start: ${(e as Error).message}`, EXIT.FINDING);
      }
      const tokenFile = join(o.data, 'admin-token');
      if (info.bootstrapToken) writeFileSync(tokenFile, `${info.bootstrapToken}\n`, { mode: 0o600 });
      const token = existsSync(tokenFile) ? readFileSync(tokenFile, 'utf8').trim() : undefined;
      const url = info.listening.replace('0.0.0.0', '127.0.0.1');
      const children: Child[] = [server];
      let agentRunning = false;
      let seeded = 0;
      try {
        if (token && info.bootstrapToken) {
          await seed(url, token, o, events, say);
          seeded = events.length;
        }
        if (token && o.agent) {
          const a = await startAgent(url, token, o, quiet, say);
          if (a) {
            children.push(a);
            agentRunning = true;
          }
        }
        say(`\nExecGuard console: ${url}/`);
        if (info.bootstrapToken)
          say(`bootstrap admin token (shown once; also in ${tokenFile}, mode 0600): ${info.bootstrapToken}`);
        else say(`sign in with the admin token in ${tokenFile}`);
        const page = await fetch(`${url}/`);
        const health = await fetch(`${url}/healthz`);
        const summary = { policies: checks, server: url, console: page.ok, healthy: health.ok, seeded, agent: agentRunning };
        if (o.json) process.stdout.write(`${JSON.stringify(summary)}\n`);
        if (!o.once) {
          say('running; Ctrl-C stops everything');
          await new Promise<void>((resolve) => {
            process.once('SIGINT', () => resolve());
            process.once('SIGTERM', () => resolve());
            for (const c of children) c.proc.once('exit', () => resolve());
          });
        }
        if (!health.ok) process.exitCode = EXIT.FINDING;
      } finally {
        for (const c of [...children].reverse()) {
          if (c.proc.exitCode !== null) continue;
          const exited = new Promise((r) => c.proc.once('exit', r));
          c.proc.kill('SIGTERM');
          await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
          if (c.proc.exitCode === null) c.proc.kill('SIGKILL');
        }
      }
    });
}
