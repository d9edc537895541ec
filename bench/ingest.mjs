#!/usr/bin/env node
/**
 * npm run bench:ingest — events per second through the telemetry ingest API (packages/telemetry,
 * `ingestFiles`, in-process, output discarded) for three inputs, beside a peer tool on the same input in
 * the same run:
 *
 * - Sysmon JSON lines: every real Sysmon EID 1/7 record of the evtx-to-mitre-attack JSON-lines conversions
 *   (../shared/data), repeated into a ~200,000-line temporary file. No peer (jq would only re-serialise).
 * - EVTX: every .evtx file under ../shared/data (evtx-to-mitre-attack and the sigma regression data).
 *   Peer: Debian's python3-evtx, its /usr/bin/evtx_dump.py run on every file inside one Python process
 *   (runpy, so interpreter start-up is paid once), output counted and discarded.
 * - auditd: the raw audit logs of laurel's test data, auparse's test logs and the Security-Datasets Linux
 *   samples, repeated with renumbered serials (each event keeps its records, the serial is new) into one file.
 *   Peers: `ausearch -if FILE --raw` and `ausearch -if FILE -i` (package auditd), output counted and discarded.
 *
 * "events" is records read: for our ingest the normalised events plus the well-formed records that are not
 * executions (counted as skipped), plus malformed ones; for python-evtx the <Event> elements printed; for
 * ausearch the events it prints. Ours is the median of 3 timed runs after one warm-up run; the peers run
 * once (they are slower, and their start-up is part of their cost). Node runs the ingest on one thread.
 * Prints a table, then one line of JSON with the figures. Targets (issue 5): EVTX ≥ 10× python-evtx,
 * Sysmon JSON ≥ 100,000 events/s.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createReadStream, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dataDir = join(root, '..', 'shared', 'data');
const { ingestFiles } = await import(pathToFileURL(join(root, 'packages/telemetry/dist/index.js')).href);

const SYSMON_LINES = Number(process.env.BENCH_SYSMON_LINES ?? 200_000);
const AUDIT_EVENTS = Number(process.env.BENCH_AUDIT_EVENTS ?? 100_000);

function walk(dir, pred, out = []) {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) walk(p, pred, out);
    else if (pred(p)) out.push(p);
  }
  return out;
}

const tmp = mkdtempSync(join(tmpdir(), 'execguard-bench-ingest-'));

// --- inputs -------------------------------------------------------------------------------------------
function buildSysmon() {
  const dir = join(dataDir, 'telemetry', 'windows', 'evtx-to-mitre-attack', 'jsonl');
  const records = [];
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.jsonl'))) {
    for (const line of readFileSync(join(dir, f), 'utf8').split('\n')) {
      if (!line.includes('Microsoft-Windows-Sysmon')) continue;
      const o = JSON.parse(line);
      const id = o.System?.EventID?.['#text'] ?? o.System?.EventID;
      if (String(id) === '1' || String(id) === '7') records.push(line);
    }
  }
  const lines = [];
  for (let i = 0; lines.length < SYSMON_LINES; i++) lines.push(records[i % records.length]);
  const file = join(tmp, 'sysmon.jsonl');
  writeFileSync(file, `${lines.join('\n')}\n`);
  return { files: [file], distinct: records.length, lines: lines.length, bytes: statSync(file).size };
}

function buildEvtx() {
  return walk(dataDir, (p) => p.endsWith('.evtx')).sort();
}

const AUDIT_LINE = /^((?:node=\S+ )?type=\S+ msg=audit\()(\d+)\.(\d+):(\d+)(\).*)$/;

function buildAudit() {
  const lin = join(dataDir, 'telemetry', 'linux');
  const sources = [
    ...walk(join(lin, 'laurel', 'src', 'testdata'), (p) => p.endsWith('.txt')),
    ...walk(join(lin, 'auparse'), (p) => /test\d*\.log$/.test(p)),
  ];
  const sd = join(tmp, 'security-datasets');
  for (const z of walk(join(lin, 'security-datasets'), (p) => p.endsWith('.zip'))) {
    spawnSync('unzip', ['-o', '-q', z, '-d', sd], { stdio: 'ignore' });
  }
  if (existsSync(sd)) sources.push(...walk(sd, (p) => p.endsWith('.log')));
  // Events in file order; each event's lines keep their order and relative interleaving is dropped.
  const events = [];
  for (const f of sources.sort()) {
    const byKey = new Map();
    for (const line of readFileSync(f, 'utf8').split('\n')) {
      const m = AUDIT_LINE.exec(line);
      if (!m) continue;
      const key = `${m[2]}.${m[3]}:${m[4]}`;
      let ev = byKey.get(key);
      if (!ev) {
        ev = [];
        byKey.set(key, ev);
        events.push(ev);
      }
      ev.push(m);
    }
  }
  const out = [];
  let serial = 1;
  let sec = 1_700_000_000;
  for (let n = 0; n < AUDIT_EVENTS; n++, serial++) {
    const ev = events[n % events.length];
    if (serial % 1000 === 0) sec++;
    for (const m of ev) out.push(`${m[1]}${sec}.${m[3]}:${serial}${m[5]}`);
  }
  const file = join(tmp, 'audit.log');
  writeFileSync(file, `${out.join('\n')}\n`);
  return { files: [file], distinct: events.length, lines: out.length, sources: sources.length };
}

// --- measurement ----------------------------------------------------------------------------------------
async function ingestOnce(files) {
  const run = ingestFiles(files);
  const t = process.hrtime.bigint();
  let items = 0;
  for await (const _ of run) items++;
  const seconds = Number(process.hrtime.bigint() - t) / 1e9;
  const s = run.summary;
  return { seconds, events: s.events + s.skipped + s.malformedCount, normalised: s.events, items };
}

async function ours(files) {
  await ingestOnce(files); // warm-up
  const runs = [];
  for (let i = 0; i < 3; i++) runs.push(await ingestOnce(files));
  runs.sort((a, b) => a.seconds - b.seconds);
  return runs[1];
}

async function jsonParseAlone(file) {
  const once = async () => {
    const t = process.hrtime.bigint();
    let events = 0;
    const rl = createInterface({ input: createReadStream(file, { highWaterMark: 1024 * 1024 }), crlfDelay: Infinity });
    for await (const line of rl) {
      if (line === '') continue;
      JSON.parse(line);
      events++;
    }
    return { seconds: Number(process.hrtime.bigint() - t) / 1e9, events };
  };
  await once();
  const runs = [await once(), await once(), await once()].sort((a, b) => a.seconds - b.seconds);
  return runs[1];
}

/** Runs a command, counts output lines matching `re` without keeping the output. */
function peer(cmd, args, re) {
  return new Promise((resolve) => {
    const t = process.hrtime.bigint();
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'ignore'] });
    let count = 0;
    let rest = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk) => {
      const lines = (rest + chunk).split('\n');
      rest = lines.pop() ?? '';
      for (const l of lines) if (re.test(l)) count++;
    });
    child.on('error', () => resolve(undefined));
    child.on('close', () => {
      if (re.test(rest)) count++;
      const seconds = Number(process.hrtime.bigint() - t) / 1e9;
      resolve(count > 0 ? { seconds, events: count } : undefined);
    });
  });
}

const EVTX_DUMP = '/usr/bin/evtx_dump.py';
function pythonEvtx(files) {
  if (!existsSync(EVTX_DUMP)) return Promise.resolve(undefined);
  const listFile = join(tmp, 'evtx-files.json');
  writeFileSync(listFile, JSON.stringify(files));
  const script = [
    'import json, runpy, sys',
    `files = json.load(open(${JSON.stringify(listFile)}))`,
    'for f in files:',
    `    sys.argv = [${JSON.stringify(EVTX_DUMP)}, f]`,
    '    try:',
    `        runpy.run_path(${JSON.stringify(EVTX_DUMP)}, run_name="__main__")`,
    '    except SystemExit:',
    '        pass',
    '    except Exception as e:',
    '        print("error", f, e, file=sys.stderr)',
  ].join('\n');
  // Debian's interpreter: python3-evtx is installed for it, not for a python3 earlier on PATH (pyenv…).
  const python = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
  return peer(python, ['-c', script], /<Event /);
}

function hasCommand(c) {
  return spawnSync('sh', ['-c', `command -v ${c}`], { stdio: 'ignore' }).status === 0;
}
const AUSEARCH = hasCommand('ausearch') ? 'ausearch' : existsSync('/usr/sbin/ausearch') ? '/usr/sbin/ausearch' : undefined;

// --- run --------------------------------------------------------------------------------------------------
const rows = [];
const add = (source, tool, r, base) => {
  if (!r) {
    rows.push({ source, tool, events: null, seconds: null, eventsPerSecond: null, ratio: null });
    return;
  }
  const eps = r.events / r.seconds;
  rows.push({ source, tool, events: r.events, seconds: r.seconds, eventsPerSecond: eps, ratio: base ? base / eps : 1 });
  return eps;
};

try {
  const sysmon = buildSysmon();
  const evtx = buildEvtx();
  const audit = buildAudit();
  const evtxBytes = evtx.reduce((s, f) => s + statSync(f).size, 0);

  const sysmonEps = add('sysmon-json', 'execguard ingest', await ours(sysmon.files));
  // A plain reader for comparison: the same lines through node's readline, and only JSON.parse (no normalising).
  add('sysmon-json', 'readline + JSON.parse alone', await jsonParseAlone(sysmon.files[0]), sysmonEps);

  const ourEvtx = await ours(evtx);
  const evtxEps = add('evtx', 'execguard ingest', ourEvtx);
  add('evtx', 'python-evtx evtx_dump.py', await pythonEvtx(evtx), evtxEps);

  const ourAudit = await ours(audit.files);
  const auditEps = add('auditd', 'execguard ingest', ourAudit);
  if (AUSEARCH) {
    add('auditd', 'ausearch --raw', await peer(AUSEARCH, ['-if', audit.files[0], '--raw'], /^(?:node=\S+ )?type=/), auditEps);
    add('auditd', 'ausearch -i', await peer(AUSEARCH, ['-if', audit.files[0], '-i'], /^----$/), auditEps);
  } else {
    add('auditd', 'ausearch (not installed)', undefined);
  }
  // ausearch --raw prints records (lines), not events: convert with the input's lines-per-event.
  const raw = rows.find((r) => r.tool === 'ausearch --raw' && r.events !== null);
  if (raw) {
    const perEvent = audit.lines / AUDIT_EVENTS;
    raw.events = Math.round(raw.events / perEvent);
    raw.eventsPerSecond = raw.events / raw.seconds;
    raw.ratio = auditEps / raw.eventsPerSecond;
  }

  const fmt = (n, d = 0) =>
    n === null ? 'n/a' : n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });
  console.log(
    `inputs: Sysmon JSON ${sysmon.lines.toLocaleString('en-US')} lines, ${(sysmon.bytes / 1e6).toFixed(0)} MB (${sysmon.distinct} distinct EID 1/7 records); ` +
      `EVTX ${evtx.length} files, ${(evtxBytes / 1e6).toFixed(1)} MB; ` +
      `auditd ${AUDIT_EVENTS.toLocaleString('en-US')} events, ${audit.lines.toLocaleString('en-US')} lines (${audit.distinct} distinct events from ${audit.sources} logs)`,
  );
  console.log('');
  console.log('| source | tool | events | seconds | events/s | ratio (ours ÷ tool) |');
  console.log('|---|---|---:|---:|---:|---:|');
  for (const r of rows) {
    console.log(
      `| ${r.source} | ${r.tool} | ${fmt(r.events)} | ${fmt(r.seconds, 3)} | ${fmt(r.eventsPerSecond)} | ${r.ratio === null ? 'n/a' : `${r.ratio.toFixed(1)}×`} |`,
    );
  }
  console.log('');
  const py = rows.find((r) => r.tool.startsWith('python-evtx'));
  const sj = rows.find((r) => r.source === 'sysmon-json');
  const targets = {
    evtxVsPythonEvtx: py?.ratio ?? null,
    evtxTargetMet: py?.ratio != null ? py.ratio >= 10 : null,
    sysmonJsonTargetMet: sj?.eventsPerSecond != null ? sj.eventsPerSecond >= 100_000 : null,
  };
  console.log(
    `targets: EVTX ≥ 10× python-evtx: ${targets.evtxTargetMet ?? 'n/a'}; Sysmon JSON ≥ 100,000 events/s: ${targets.sysmonJsonTargetMet}`,
  );
  console.log(
    JSON.stringify({
      bench: 'ingest',
      node: process.version,
      rows: rows.map((r) => ({
        ...r,
        seconds: r.seconds === null ? null : Number(r.seconds.toFixed(4)),
        eventsPerSecond: r.eventsPerSecond === null ? null : Math.round(r.eventsPerSecond),
        ratio: r.ratio === null ? null : Number(r.ratio.toFixed(2)),
      })),
      targets,
    }),
  );
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
