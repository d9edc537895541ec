/**
 * Benign background activity in the shared samples must not be flagged. Real records are read from
 * ../shared/data (python-evtx JSON lines and an OTRF NXLog capture) through the benchmark's adapter.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { ExecEvent } from '@execguard/schema';
import { detect } from './index.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');
const data = join(root, '..', 'shared', 'data');
const e2m = join(data, 'telemetry', 'windows', 'evtx-to-mitre-attack', 'jsonl');
const have = existsSync(e2m);

interface Adapter {
  toExecEvent(r: unknown): ExecEvent | undefined;
  readRecords(f: string): unknown[];
}
const adapter = async (): Promise<Adapter> => (await import(pathToFileURL(join(root, 'bench', 'detect.mjs')).href)) as Adapter;

const base = (p: string | undefined) => (p ?? '').split('\\').pop()?.toLowerCase() ?? '';

/** Parent → child pairs that are Windows or agent background work. */
const background: readonly [string, RegExp][] = [
  ['monitoringhost.exe', /^cscript\.exe$/],
  ['monitoringhost.exe', /^(?:mofwriter|asmhost)\.exe$/],
  ['cscript.exe', /^conhost\.exe$/],
  ['services.exe', /^(?:svchost|sppsvc)\.exe$/],
  ['svchost.exe', /^(?:dllhost|taskhostw|backgroundtaskhost|musnotification|tstheme|rdpclip|consent|drvinst)\.exe$/],
  ['searchindexer.exe', /^search(?:protocol|filter)host\.exe$/],
];

test('background records in the evtx-to-mitre-attack samples are not flagged', {
  skip: !have && 'shared data not present',
}, async () => {
  const { toExecEvent, readRecords } = await adapter();
  const seen = new Map<string, number>();
  for (const f of readdirSync(e2m)) {
    for (const r of readRecords(join(e2m, f))) {
      const e = toExecEvent(r);
      if (!e) continue;
      const parent = base(e.process.parent?.executable);
      const child = base(e.process.executable);
      const rule = background.find(([p, c]) => p === parent && c.test(child));
      if (!rule) continue;
      const key = `${parent}>${child}`;
      seen.set(key, (seen.get(key) ?? 0) + 1);
      assert.deepEqual(detect(e), [], `${f}: ${e.process.command_line ?? e.process.executable}`);
    }
  }
  // The test must have looked at the records it is about.
  assert.ok((seen.get('monitoringhost.exe>cscript.exe') ?? 0) >= 50, JSON.stringify([...seen]));
  assert.ok((seen.get('services.exe>svchost.exe') ?? 0) + (seen.get('services.exe>sppsvc.exe') ?? 0) >= 1);
  assert.ok((seen.get('svchost.exe>dllhost.exe') ?? 0) >= 10);
});

const zip = join(data, 'telemetry', 'windows', 'security-datasets-samples', 'empire_wmic_add_user_backdoor.zip');
let unzip = false;
try {
  execFileSync('unzip', ['-v'], { stdio: 'ignore' });
  unzip = existsSync(zip);
} catch {
  unzip = false;
}

test('service hosts, RuntimeBroker and friends in the OTRF capture are not flagged', {
  skip: !unzip && 'unzip or data missing',
}, () => {
  const text = execFileSync('unzip', ['-p', zip], { maxBuffer: 256 * 1024 * 1024 }).toString('utf8');
  let checked = 0;
  let runtimeBroker = 0;
  for (const line of text.split('\n')) {
    if (!line.includes('"EventID":1,') || !line.includes('Sysmon')) continue;
    const r = JSON.parse(line) as Record<string, string>;
    const parent = base(r.ParentImage);
    if (parent !== 'svchost.exe' && parent !== 'services.exe') continue;
    const child = base(r.Image);
    const e: ExecEvent = {
      host: { os: { family: 'windows' } },
      process: {
        ...(r.Image ? { executable: r.Image } : {}),
        ...(r.CommandLine ? { command_line: r.CommandLine } : {}),
        ...(r.OriginalFileName ? { pe: { original_file_name: r.OriginalFileName } } : {}),
        parent: {
          ...(r.ParentImage ? { executable: r.ParentImage } : {}),
          ...(r.ParentCommandLine ? { command_line: r.ParentCommandLine } : {}),
        },
      },
    };
    assert.deepEqual(detect(e), [], `${r.ParentImage} -> ${r.CommandLine}`);
    checked++;
    if (child === 'runtimebroker.exe') runtimeBroker++;
  }
  assert.ok(checked >= 15, `checked ${checked}`);
  assert.ok(runtimeBroker >= 1);
});
