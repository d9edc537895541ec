import type { ExecEvent } from '@execguard/schema';
import { sysmonHashes } from '../../normalise/hashes.js';
import { baseName, splitAccount } from '../../normalise/paths.js';
import type { SourceLocation } from '../../normalise/types.js';
import { bool, commandLine, guid, int, logonId, str, toEvent } from '../../normalise/values.js';
import { splitWindowsCommandLine } from '../../normalise/windows-args.js';
import { windowsBase, withBase } from '../windows/base.js';
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

function processCreate(rec: WinRecord, loc: SourceLocation): ExecEvent {
  const d = rec.data;
  const base = windowsBase(rec, loc, 'sysmon', 'windows.sysmon_operational');
  const image = str(d.Image);
  const cmd = commandLine(d.CommandLine);
  const parentImage = str(d.ParentImage);
  const parentCmd = commandLine(d.ParentCommandLine);
  const hashes = sysmonHashes(d.Hashes);
  const { imphash, ...fileHashes } = hashes;
  const account = splitAccount(str(d.User));
  return toEvent(
    withBase(base, {
      event: { category: ['process'], type: ['start'], action: 'process-created' },
      process: {
        pid: sysmonPid(rec),
        entity_id: guid(d.ProcessGuid),
        executable: image,
        name: baseName(image),
        command_line: cmd,
        args: cmd !== undefined ? splitWindowsCommandLine(cmd) : undefined,
        working_directory: str(d.CurrentDirectory),
        hash: fileHashes,
        pe: {
          original_file_name: str(d.OriginalFileName),
          company: str(d.Company),
          product: str(d.Product),
          file_version: str(d.FileVersion),
          description: str(d.Description),
          imphash,
        },
        parent: {
          pid: int(d.ParentProcessId),
          entity_id: guid(d.ParentProcessGuid),
          executable: parentImage,
          name: baseName(parentImage),
          command_line: parentCmd,
          args: parentCmd !== undefined ? splitWindowsCommandLine(parentCmd) : undefined,
        },
      },
      user: { name: account.name, domain: account.domain },
      winlog: { logon: { id: logonId(d.LogonId), guid: guid(d.LogonGuid) } },
    }),
  );
}

function imageLoad(rec: WinRecord, loc: SourceLocation): ExecEvent {
  const d = rec.data;
  const base = windowsBase(rec, loc, 'sysmon', 'windows.sysmon_operational');
  const image = str(d.Image);
  const loaded = str(d.ImageLoaded);
  const { imphash, ...fileHashes } = sysmonHashes(d.Hashes);
  const status = str(d.SignatureStatus);
  return toEvent(
    withBase(base, {
      event: { category: ['library'], type: ['start'], action: 'image-loaded' },
      process: { pid: sysmonPid(rec), entity_id: guid(d.ProcessGuid), executable: image, name: baseName(image) },
      // ECS puts the loaded module under dll.*; the engine's file.* stays reserved for scripts.
      dll: {
        path: loaded,
        name: baseName(loaded),
        hash: fileHashes,
        pe: {
          original_file_name: str(d.OriginalFileName),
          company: str(d.Company),
          product: str(d.Product),
          file_version: str(d.FileVersion),
          description: str(d.Description),
          imphash,
        },
        code_signature: {
          signed: bool(d.Signed),
          subject_name: str(d.Signature),
          status,
          trusted: status === undefined ? undefined : status === 'Valid',
        },
      },
      user: splitAccount(str(d.User)),
    }),
  );
}
