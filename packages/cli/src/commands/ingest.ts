import { createWriteStream, readFileSync, type WriteStream } from 'node:fs';
import { compile, decide } from '@execguard/engine';
import { defaultCatalogue } from '@execguard/knowledge';
import type { ExecEvent } from '@execguard/schema';
import { FORMATS, ingestFiles, isFormatOption } from '@execguard/telemetry';
import type { Command } from 'commander';
import { EXIT, UserError } from '../errors.js';
import { loadPolicy } from '../io.js';
import { Uploader } from '../upload.js';

interface IngestOptions {
  format: string;
  policy?: string;
  baseline?: string;
  out?: string;
  json?: boolean;
  server?: string;
  token?: string;
  batch: string;
}

/**
 * Baseline file: JSON lines of {sha256} (known content anywhere) or {path, sha256} (known content at a path).
 * An event is `known` when its program hash is listed (at its path, when paths are given), `changed` when its
 * path is listed with another hash, and `new` otherwise. Events without a program hash get no status.
 */
interface Baseline {
  readonly hashes: Set<string>;
  readonly byPath: Map<string, Set<string>>;
}

function loadBaseline(file: string): Baseline {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new UserError(`${file}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  const hashes = new Set<string>();
  const byPath = new Map<string, Set<string>>();
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (line === '') return;
    let rec: unknown;
    try {
      rec = JSON.parse(line);
    } catch {
      throw new UserError(`${file}:${i + 1}: not valid JSON`);
    }
    const r = rec as { sha256?: unknown; path?: unknown };
    if (typeof r.sha256 !== 'string' || !/^[0-9a-fA-F]{64}$/.test(r.sha256))
      throw new UserError(`${file}:${i + 1}: sha256 must be 64 hex digits`);
    const h = r.sha256.toLowerCase();
    if (typeof r.path === 'string') {
      const key = pathKey(r.path);
      byPath.set(key, (byPath.get(key) ?? new Set()).add(h));
    } else hashes.add(h);
  });
  return { hashes, byPath };
}

// Windows paths compare case-insensitively; a baseline cannot know the platform of each line, so paths with a
// drive letter or backslash are folded.
const pathKey = (p: string) => (/^[a-z]:\\|\\/i.test(p) ? p.toLowerCase() : p);

function baselineStatus(b: Baseline, ev: ExecEvent): 'known' | 'new' | 'changed' | undefined {
  const h = ev.process.hash?.sha256?.toLowerCase();
  if (h === undefined) return undefined;
  const path = ev.process.executable;
  const atPath = path !== undefined ? b.byPath.get(pathKey(path)) : undefined;
  if (atPath) return atPath.has(h) ? 'known' : 'changed';
  return b.hashes.has(h) ? 'known' : 'new';
}

export function registerIngest(program: Command): void {
  program
    .command('ingest')
    .description('read execution logs (any mix of formats), normalise them and print one JSON event per line, in input order')
    .argument(
      '<file...>',
      'log files: .evtx, rendered XML, evtx_dump/Winlogbeat/NXLog/exporter JSON, WDAC CSV, auditd, fapolicyd, osquery, ExecGuard JSON lines',
    )
    .option('--format <name>', `input format: auto or one of ${FORMATS.join(', ')}`, 'auto')
    .option('--policy <file>', 'decide every event against this policy (execguard.decision)')
    .option('--baseline <file>', 'JSON lines of {sha256} or {path, sha256}: sets execguard.baseline to known, new or changed')
    .option('--out <file>', 'write events here instead of stdout')
    .option('--json', 'print the summary to stderr as JSON instead of text')
    .option('--server <url>', 'upload the events to this control server (POST /v1/events) instead of printing them')
    .option('--token <token>', 'API token for --server (analyst or admin role); default: $EXECGUARD_TOKEN')
    .option('--batch <n>', 'events per upload request with --server', '1000')
    .addHelpText(
      'after',
      '\nEvents go to stdout (or --out); with --server they are uploaded instead (and also written to --out if given);\nhosts named in the logs appear on the server as hosts without an agent. Uploads are retried and deduplicated by the\nserver (host + event id), so running the same upload twice stores each event once. The summary (counts per format and\ntechnique, malformed records with file:line, events uploaded) goes to stderr. Exit codes: 0 ok; 1 --policy denied at\nleast one event (enforced or would-deny); 2 invalid usage, an unreadable or unrecognised file, malformed records (the\nrest is still processed), or the server refused the upload or could not be reached.',
    )
    .action(async (files: string[], o: IngestOptions) => {
      if (!isFormatOption(o.format)) throw new UserError(`--format ${o.format}: expected auto or one of ${FORMATS.join(', ')}`);
      const batch = Number(o.batch);
      if (!Number.isInteger(batch) || batch < 1 || batch > 5000)
        throw new UserError(`--batch ${o.batch}: expected a whole number from 1 to 5000`);
      const token = o.token ?? process.env.EXECGUARD_TOKEN;
      if (o.server !== undefined) {
        if (!/^https?:\/\/[^/]/.test(o.server)) throw new UserError(`--server ${o.server}: expected an http:// or https:// URL`);
        if (!token) throw new UserError('--server needs --token or $EXECGUARD_TOKEN');
      }
      const uploader = o.server !== undefined && token ? new Uploader(o.server, token, batch) : undefined;
      const compiled = o.policy ? compile(loadPolicy(o.policy), { catalogue: defaultCatalogue }) : undefined;
      const baseline = o.baseline ? loadBaseline(o.baseline) : undefined;
      const out: NodeJS.WritableStream | undefined = o.out ? createWriteStream(o.out) : uploader ? undefined : process.stdout;
      const tty = process.stderr.isTTY === true;
      const run = ingestFiles(files, { format: o.format, detect: true });
      const now = Date.now();
      let denies = 0;
      let n = 0;
      for await (const item of run) {
        if ('malformed' in item) {
          const m = item.malformed;
          const where = m.line !== undefined ? `:${m.line}` : m.offset !== undefined ? `@${m.offset}` : '';
          if (!o.json) process.stderr.write(`${m.file}${where}: ${m.message}\n`);
          continue;
        }
        let ev = item.event;
        const extra: Record<string, unknown> = {};
        if (compiled) {
          // Host context from the event itself (host.id or host.name), as `decide` does without --host.
          const d = decide(compiled, ev, { now });
          if (d.verdict === 'deny') denies++;
          extra.decision = d;
        }
        if (baseline) {
          const s = baselineStatus(baseline, ev);
          if (s) extra.baseline = s;
        }
        if (Object.keys(extra).length > 0) ev = { ...ev, execguard: { ...ev.execguard, ...extra } };
        if (uploader) await uploader.add(ev);
        if (out && !out.write(`${JSON.stringify(ev)}\n`)) await new Promise<void>((r) => out.once('drain', () => r()));
        if (tty && ++n % 10000 === 0) process.stderr.write(`\r${n} events…`);
      }
      if (tty && n >= 10000) process.stderr.write('\r\x1b[K');
      await uploader?.flush();
      if (o.out)
        await new Promise<void>((resolve, reject) => (out as WriteStream).end((e?: Error | null) => (e ? reject(e) : resolve())));
      const s = run.summary;
      const uploaded = uploader ? { uploaded: uploader.uploaded, server: o.server } : {};
      if (o.json) process.stderr.write(`${JSON.stringify({ ...s.toJSON(), ...uploaded })}\n`);
      else {
        const fmt =
          Object.entries(s.byFormat)
            .map(([k, v]) => `${k} ${v}`)
            .join(', ') || 'none';
        const tech =
          Object.entries(s.byTechnique)
            .map(([k, v]) => `${k} ${v}`)
            .join(', ') || 'none';
        process.stderr.write(
          `${s.events} events from ${s.files} file(s) (${fmt}); techniques: ${tech}; ${s.skipped} non-execution records skipped; ${s.malformedCount} malformed${uploader ? `; ${uploader.uploaded} uploaded to ${o.server}` : ''}\n`,
        );
      }
      process.exitCode = s.malformedCount > 0 ? EXIT.USAGE : denies > 0 ? EXIT.FINDING : EXIT.OK;
    });
}
