import type { ExecEvent } from '@execguard/schema';
import { sysmonFileHashes } from '../../normalise/hashes.js';
import { baseName, splitAccount } from '../../normalise/paths.js';
import type { JsonObject, SourceLocation } from '../../normalise/types.js';
import { bool, commandLine, guid, int, logonId, str } from '../../normalise/values.js';
import { splitWindowsCommandLine } from '../../normalise/windows-args.js';
import { windowsEventHead } from '../windows/base.js';
import { messageField } from '../windows/flat-json.js';
import type { WinRecord } from '../windows/record.js';

export const SYSMON_PROVIDER = 'Microsoft-Windows-Sysmon';

/** Sysmon EID 1 (process creation) and EID 7 (image loaded); other Sysmon events are not executions. */
export function normaliseSysmon(rec: WinRecord, loc: SourceLocation): ExecEvent | undefined {
  if (rec.eventId === 1) return processCreate(rec, loc);
  if (rec.eventId === 7) return imageLoad(rec, loc);
  return undefined;
}

/** Sysmon's own ProcessId; some NXLog exports drop it (it collides with System ProcessID) but keep the message. */
function sysmonPid(rec: WinRecord): number | undefined {
  return int(rec.data.ProcessId) ?? int(messageField(rec.message, 'ProcessId'));
}

// Both normalisers build their members already compact (no undefined members, no empty objects; see
// windowsEventHead): the same event, member for member and in the same key order, as the generic
// `toEvent(withBase(windowsBase(…), {…}))` with optional members left undefined, which compacted every object
// of every event again. Sysmon is the bulk of Windows execution telemetry, so this is the ingest hot path.

function processCreate(rec: WinRecord, loc: SourceLocation): ExecEvent {
  const d = rec.data;
  const process: Record<string, unknown> = {};
  const pid = sysmonPid(rec);
  if (pid !== undefined) process.pid = pid;
  const entity = guid(d.ProcessGuid);
  if (entity !== undefined) process.entity_id = entity;
  const image = str(d.Image);
  if (image !== undefined) process.executable = image;
  const name = baseName(image);
  if (name !== undefined) process.name = name;
  const cmd = commandLine(d.CommandLine);
  if (cmd !== undefined) {
    process.command_line = cmd;
    process.args = splitWindowsCommandLine(cmd);
  }
  const cwd = str(d.CurrentDirectory);
  if (cwd !== undefined) process.working_directory = cwd;
  const hashes = sysmonFileHashes(d.Hashes);
  if (hasMembers(hashes.file)) process.hash = hashes.file;
  const pe = peOf(d, hashes.imphash);
  if (pe !== undefined) process.pe = pe;
  const parent = parentOf(d);
  if (parent !== undefined) process.parent = parent;

  const account = splitAccount(str(d.User));
  const user: Record<string, unknown> = {};
  if (account.name !== undefined) user.name = account.name;
  if (account.domain !== undefined) user.domain = account.domain;
  const logon: Record<string, unknown> = {};
  const logonIdValue = logonId(d.LogonId);
  if (logonIdValue !== undefined) logon.id = logonIdValue;
  const logonGuid = guid(d.LogonGuid);
  if (logonGuid !== undefined) logon.guid = logonGuid;

  const out = windowsEventHead(
    rec,
    loc,
    'sysmon',
    'windows.sysmon_operational',
    'process',
    'start',
    'process-created',
    hasMembers(process) ? process : undefined,
    hasMembers(logon) ? logon : undefined,
  );
  if (hasMembers(user)) out.user = user;
  if (!hasMembers(process)) out.process = {};
  return out as unknown as ExecEvent;
}

function parentOf(d: JsonObject): Record<string, unknown> | undefined {
  const parent: Record<string, unknown> = {};
  const pid = int(d.ParentProcessId);
  if (pid !== undefined) parent.pid = pid;
  const entity = guid(d.ParentProcessGuid);
  if (entity !== undefined) parent.entity_id = entity;
  const image = str(d.ParentImage);
  if (image !== undefined) parent.executable = image;
  const name = baseName(image);
  if (name !== undefined) parent.name = name;
  const cmd = commandLine(d.ParentCommandLine);
  if (cmd !== undefined) {
    parent.command_line = cmd;
    parent.args = splitWindowsCommandLine(cmd);
  }
  return hasMembers(parent) ? parent : undefined;
}

/** The PE version-resource fields (and IMPHASH) of Sysmon 1 and 7, or undefined when none is present. */
function peOf(d: JsonObject, imphash: string | undefined): Record<string, unknown> | undefined {
  const pe: Record<string, unknown> = {};
  const original = str(d.OriginalFileName);
  if (original !== undefined) pe.original_file_name = original;
  const company = str(d.Company);
  if (company !== undefined) pe.company = company;
  const product = str(d.Product);
  if (product !== undefined) pe.product = product;
  const version = str(d.FileVersion);
  if (version !== undefined) pe.file_version = version;
  const description = str(d.Description);
  if (description !== undefined) pe.description = description;
  if (imphash !== undefined) pe.imphash = imphash;
  return hasMembers(pe) ? pe : undefined;
}

function hasMembers(o: object): boolean {
  for (const _ in o) return true;
  return false;
}

function imageLoad(rec: WinRecord, loc: SourceLocation): ExecEvent {
  const d = rec.data;
  const process: Record<string, unknown> = {};
  const pid = sysmonPid(rec);
  if (pid !== undefined) process.pid = pid;
  const entity = guid(d.ProcessGuid);
  if (entity !== undefined) process.entity_id = entity;
  const image = str(d.Image);
  if (image !== undefined) process.executable = image;
  const name = baseName(image);
  if (name !== undefined) process.name = name;

  // ECS puts the loaded module under dll.*; the engine's file.* stays reserved for scripts.
  const dll: Record<string, unknown> = {};
  const loaded = str(d.ImageLoaded);
  if (loaded !== undefined) dll.path = loaded;
  const loadedName = baseName(loaded);
  if (loadedName !== undefined) dll.name = loadedName;
  const hashes = sysmonFileHashes(d.Hashes);
  if (hasMembers(hashes.file)) dll.hash = hashes.file;
  const pe = peOf(d, hashes.imphash);
  if (pe !== undefined) dll.pe = pe;
  const signature: Record<string, unknown> = {};
  const signed = bool(d.Signed);
  if (signed !== undefined) signature.signed = signed;
  const subject = str(d.Signature);
  if (subject !== undefined) signature.subject_name = subject;
  const status = str(d.SignatureStatus);
  if (status !== undefined) {
    signature.status = status;
    signature.trusted = status === 'Valid';
  }
  if (hasMembers(signature)) dll.code_signature = signature;

  const out = windowsEventHead(
    rec,
    loc,
    'sysmon',
    'windows.sysmon_operational',
    'library',
    'start',
    'image-loaded',
    hasMembers(process) ? process : undefined,
    undefined,
  );
  if (hasMembers(dll)) out.dll = dll;
  const user = splitAccount(str(d.User));
  if (hasMembers(user)) out.user = user;
  if (!hasMembers(process)) out.process = {};
  return out as unknown as ExecEvent;
}
