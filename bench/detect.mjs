#!/usr/bin/env node
/**
 * npm run bench:detect — per-technique recall and false-positive rate of the telemetry detectors on
 * the labelled data in ../shared/data:
 *
 * - telemetry/windows/evtx-to-mitre-attack: JSON-lines conversions of the .evtx files; the folder
 *   (index.json `technique_folder`) names the enterprise ATT&CK technique. Samples outside a
 *   technique folder (EVTX_full_APT_attack_steps, Antivirus) are unlabelled and left out.
 * - sigma/regression_data + regression_index.json: each test's JSON export; the rule's
 *   `attack.tNNNN` tags give the techniques.
 *
 * Enterprise → ICS mapping (ENTERPRISE_TO_ICS below):
 *   T1059 (unspecified), T1059.003 Windows Command Shell, T1059.004 Unix Shell → T0807 Command-Line Interface
 *   T1059.001 PowerShell, .005 Visual Basic, .006 Python, .007 JavaScript → T0853 Scripting
 *   T1218.* System Binary Proxy Execution, T1216.* Script Proxy, T1202 Indirect Command Execution,
 *   T1127.* Trusted Developer Utilities → T0894 System Binary Proxy Execution
 *   T1036.* Masquerading → T0849 Masquerading
 *   T1204.* User Execution → T0863 User Execution
 *   T1047 WMI, T1053.* Scheduled Task, T1021.003 DCOM, T1021.006 WinRM → T0871 Execution through API
 *   T1106 Native API, T1620 Reflective Code Loading → T0834 Native API
 *
 * Measures. A sample is one labelled file (one evtx conversion, or one sigma test). Only process
 * creation records (Sysmon 1, Security 4688) and PowerShell script blocks (4104) are read.
 * - Recall for technique X: of the samples labelled X that contain at least one such record, the
 *   share in which at least one record is tagged X (a sample also holds background records, so
 *   recall is per sample, not per record).
 * - False-positive rate for X: of the records in labelled samples NOT labelled X, the share tagged X.
 *   Attacks labelled with another technique often also show X (a WMI attack starts a shell), so this
 *   is an upper bound of the true false-positive rate.
 *
 * The records are read with a small adapter (toExecEvent below) from the python-evtx JSON layout;
 * it is exported for the detector tests. Prints a table, then one line of JSON with the figures.
 * `--verbose` lists every positive sample with the records that were tagged.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const dataDir = join(root, '..', 'shared', 'data');

export const ICS = ['T0807', 'T0834', 'T0849', 'T0853', 'T0863', 'T0871', 'T0894'];

/** Enterprise technique id (upper case, with sub-technique) → ICS technique ids. */
export function enterpriseToIcs(id) {
  const t = id.toUpperCase();
  const base = t.split('.')[0];
  if (t === 'T1059' || t === 'T1059.003' || t === 'T1059.004') return ['T0807'];
  if (base === 'T1059') return ['T0853'];
  if (base === 'T1218' || base === 'T1216' || base === 'T1202' || base === 'T1127') return ['T0894'];
  if (base === 'T1036') return ['T0849'];
  if (base === 'T1204') return ['T0863'];
  if (t === 'T1047' || base === 'T1053' || t === 'T1021.003' || t === 'T1021.006') return ['T0871'];
  if (t === 'T1106' || t === 'T1620') return ['T0834'];
  return [];
}

const text = (v) => (v === null || v === undefined ? undefined : typeof v === 'object' ? (v['#text'] ?? undefined) : String(v));
const pid = (v) => {
  const s = text(v);
  if (s === undefined || s === '') return undefined;
  const n = s.startsWith('0x') ? Number.parseInt(s, 16) : Number.parseInt(s, 10);
  return Number.isFinite(n) ? n : undefined;
};
const trimmed = (s) => (typeof s === 'string' ? s.trim() : undefined);
const defined = (o) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== ''));

/**
 * One python-evtx style record ({System, EventData} or {Event: {System, EventData}}) → a normalised
 * ExecEvent, or undefined when it is not a process creation or script block record.
 */
export function toExecEvent(record) {
  const ev = record.Event ?? record;
  const sys = ev.System ?? {};
  const d = ev.EventData ?? {};
  if (typeof d !== 'object' || d === null) return undefined;
  const id = Number(text(sys.EventID));
  const provider = sys.Provider?.['#attributes']?.Name ?? '';
  const channel = sys.Channel;
  const winlog = defined({ channel, event_id: id, record_id: text(sys.EventRecordID), provider_name: provider });
  const host = { name: sys.Computer, os: { family: 'windows' } };
  if (id === 1 && /sysmon/i.test(provider)) {
    return {
      event: { kind: 'event', category: 'process', type: 'start', code: '1' },
      host,
      winlog,
      process: defined({
        pid: pid(d.ProcessId),
        executable: d.Image,
        command_line: trimmed(d.CommandLine),
        working_directory: d.CurrentDirectory,
        pe: d.OriginalFileName ? { original_file_name: d.OriginalFileName } : undefined,
        parent: defined({ pid: pid(d.ParentProcessId), executable: d.ParentImage, command_line: trimmed(d.ParentCommandLine) }),
      }),
    };
  }
  if (id === 4688 && /security/i.test(provider)) {
    return {
      event: { kind: 'event', category: 'process', type: 'start', code: '4688' },
      host,
      winlog,
      process: defined({
        pid: pid(d.NewProcessId),
        executable: d.NewProcessName,
        command_line: trimmed(d.CommandLine),
        parent: defined({ pid: pid(d.ProcessId), executable: d.ParentProcessName }),
      }),
    };
  }
  if (id === 4104 && /powershell/i.test(provider) && typeof d.ScriptBlockText === 'string') {
    return {
      event: { kind: 'event', category: 'process', type: 'info', code: '4104' },
      host,
      winlog: { ...winlog, event_data: { ScriptBlockText: d.ScriptBlockText } },
      powershell: { file: { script_block_text: d.ScriptBlockText } },
      process: {},
    };
  }
  return undefined;
}

/** Records of a .jsonl file or a JSON export (one object, an array, or concatenated objects). */
export function readRecords(file) {
  const s = readFileSync(file, 'utf8');
  if (file.endsWith('.jsonl'))
    return s
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => JSON.parse(l));
  try {
    const v = JSON.parse(s);
    return Array.isArray(v) ? v : [v];
  } catch {
    // Concatenated pretty-printed objects.
    return s
      .split(/\n(?=\{)/)
      .filter((x) => x.trim() !== '')
      .map((x) => JSON.parse(x));
  }
}

/** All labelled samples: {source, name, enterprise[], ics[], events[]}. */
export function loadSamples() {
  const samples = [];
  const e2m = join(dataDir, 'telemetry', 'windows', 'evtx-to-mitre-attack');
  for (const entry of JSON.parse(readFileSync(join(e2m, 'index.json'), 'utf8'))) {
    if (!entry.jsonl || !entry.technique_folder) continue;
    const enterprise = [entry.technique_folder.replace(/\.x+$/i, '')];
    samples.push({
      source: 'evtx-to-mitre-attack',
      name: entry.source_path,
      enterprise,
      ics: [...new Set(enterprise.flatMap(enterpriseToIcs))],
      events: readRecords(join(e2m, entry.jsonl)).map(toExecEvent).filter(Boolean),
    });
  }
  const sigma = join(dataDir, 'sigma');
  for (const t of JSON.parse(readFileSync(join(sigma, 'regression_index.json'), 'utf8'))) {
    const enterprise = t.tags.filter((x) => /^attack\.t\d{4}/.test(x)).map((x) => x.slice(7).toUpperCase());
    if (enterprise.length === 0) continue;
    samples.push({
      source: 'sigma',
      name: `${t.rule_title} (${t.test_name})`,
      enterprise,
      ics: [...new Set(enterprise.flatMap(enterpriseToIcs))],
      events: readRecords(join(sigma, t.json)).map(toExecEvent).filter(Boolean),
    });
  }
  return samples;
}

async function main() {
  const verbose = process.argv.includes('--verbose');
  const { detect, newHostState } = await import(pathToFileURL(join(root, 'packages/telemetry/dist/detectors/index.js')).href);
  const samples = loadSamples().filter((s) => s.events.length > 0);
  const rows = Object.fromEntries(ICS.map((t) => [t, { positives: 0, detected: 0, negatives: 0, falsePositives: 0 }]));
  for (const s of samples) {
    const state = newHostState();
    const tagged = s.events.map((e) => new Set(detect(e, state).map((f) => f.technique)));
    const findings = verbose ? s.events.map((e) => detect(e)) : [];
    for (const t of ICS) {
      const r = rows[t];
      if (s.ics.includes(t)) {
        r.positives++;
        const hit = tagged.some((set) => set.has(t));
        if (hit) r.detected++;
        if (verbose) {
          process.stdout.write(`${hit ? 'HIT ' : 'MISS'} ${t} [${s.source}] ${s.name}\n`);
          findings.forEach((fs, i) => {
            for (const f of fs.filter((x) => x.technique === t))
              process.stdout.write(`       #${i} ${f.detector} ${f.severity}: ${f.reason}\n`);
          });
        }
      } else {
        r.negatives += s.events.length;
        r.falsePositives += tagged.filter((set) => set.has(t)).length;
      }
    }
  }
  const pct = (a, b) => (b === 0 ? 'n/a' : `${((100 * a) / b).toFixed(1)}%`);
  const lines = [
    '| technique | name | positives (samples) | recall | negatives (records) | FP rate |',
    '|---|---|---:|---:|---:|---:|',
  ];
  const { techniqueName } = await import(pathToFileURL(join(root, 'packages/knowledge/dist/index.js')).href);
  for (const t of ICS) {
    const r = rows[t];
    lines.push(
      `| ${t} | ${techniqueName(t)} | ${r.positives} | ${pct(r.detected, r.positives)} | ${r.negatives} | ${pct(r.falsePositives, r.negatives)} |`,
    );
  }
  process.stdout.write(`${lines.join('\n')}\n\nsamples with process or script-block records: ${samples.length}\n`);
  const figures = Object.fromEntries(
    ICS.map((t) => {
      const r = rows[t];
      return [
        t,
        {
          ...r,
          recall: r.positives ? Number((r.detected / r.positives).toFixed(4)) : null,
          fpRate: r.negatives ? Number((r.falsePositives / r.negatives).toFixed(4)) : null,
        },
      ];
    }),
  );
  process.stdout.write(`${JSON.stringify({ samples: samples.length, techniques: figures })}\n`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
