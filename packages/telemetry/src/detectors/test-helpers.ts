/** Builders for normalised events in the detector tests (not exported from the package). */
import type { ExecEvent } from '@execguard/schema';
import type { Detector, HostState } from './types.js';

export interface Spec {
  exe?: string;
  cmd?: string;
  args?: string[];
  ofn?: string;
  parent?: string;
  parentCmd?: string;
  parentPid?: number;
  pid?: number;
  os?: 'windows' | 'linux';
  file?: string;
  script?: string;
  execguard?: ExecEvent['execguard'];
}

export function ev(s: Spec): ExecEvent {
  const os = s.os ?? (s.exe?.startsWith('/') ? 'linux' : 'windows');
  const parent: Record<string, unknown> = {};
  if (s.parent !== undefined) parent.executable = s.parent;
  if (s.parentCmd !== undefined) parent.command_line = s.parentCmd;
  if (s.parentPid !== undefined) parent.pid = s.parentPid;
  const e: ExecEvent = {
    host: { os: { family: os } },
    process: {
      ...(s.exe !== undefined ? { executable: s.exe } : {}),
      ...(s.cmd !== undefined ? { command_line: s.cmd } : {}),
      ...(s.args !== undefined ? { args: s.args } : {}),
      ...(s.pid !== undefined ? { pid: s.pid } : {}),
      ...(s.ofn !== undefined ? { pe: { original_file_name: s.ofn } } : {}),
      ...(Object.keys(parent).length > 0 ? { parent } : {}),
    },
    ...(s.file !== undefined ? { file: { path: s.file } } : {}),
    ...(s.execguard !== undefined ? { execguard: s.execguard } : {}),
  };
  if (s.script !== undefined) (e as Record<string, unknown>).powershell = { file: { script_block_text: s.script } };
  return e;
}

/** Techniques a detector reports for an event, sorted and de-duplicated. */
export function techniquesOf(d: Detector, e: ExecEvent, state?: HostState): string[] {
  return [...new Set(d.detect(e, state).map((f) => f.technique))].sort();
}
