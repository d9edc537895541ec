import type { ExecEvent } from '@execguard/schema';
import { baseName, splitAccount } from '../../normalise/paths.js';
import type { SourceLocation } from '../../normalise/types.js';
import { commandLine, int, str, toEvent } from '../../normalise/values.js';
import { splitWindowsCommandLine } from '../../normalise/windows-args.js';
import { windowsBase, withBase } from '../windows/base.js';
import type { WinRecord } from '../windows/record.js';

export const POWERSHELL_PROVIDER = 'Microsoft-Windows-PowerShell';

/** PowerShell 4104 (script block logging) and 4103 (module/pipeline logging). */
export function normalisePowerShell(rec: WinRecord, loc: SourceLocation): ExecEvent | undefined {
  if (rec.eventId === 4104) return scriptBlock(rec, loc);
  if (rec.eventId === 4103) return pipeline(rec, loc);
  return undefined;
}

function scriptBlock(rec: WinRecord, loc: SourceLocation): ExecEvent {
  const d = rec.data;
  const base = windowsBase(rec, loc, 'powershell', 'windows.powershell_operational');
  const path = str(d.Path);
  return toEvent(
    withBase(base, {
      event: { category: ['process'], type: ['info'], action: 'execute-script-block' },
      // The logging process is the PowerShell host that ran the block.
      process: { pid: rec.executionPid },
      file: { path, name: baseName(path) },
      powershell: {
        // Long blocks are logged in parts: MessageNumber of MessageTotal, joined by ScriptBlockId.
        sequence: int(d.MessageNumber),
        total: int(d.MessageTotal),
        file: { script_block_id: str(d.ScriptBlockId), script_block_text: str(d.ScriptBlockText) },
      },
      user: { id: rec.userSid },
    }),
  );
}

function pipeline(rec: WinRecord, loc: SourceLocation): ExecEvent {
  const d = rec.data;
  const base = windowsBase(rec, loc, 'powershell', 'windows.powershell_operational');
  const ctx = contextInfo(str(d.ContextInfo));
  const cmd = commandLine(ctx['Host Application']);
  const args = cmd !== undefined ? splitWindowsCommandLine(cmd) : undefined;
  const exe = args?.[0];
  const script = ctx['Script Name'];
  return toEvent(
    withBase(base, {
      event: { category: ['process'], type: ['info'], action: 'execute-pipeline' },
      process: {
        pid: rec.executionPid,
        command_line: cmd,
        args,
        // Only a full path is a path; "powershell" alone is a name.
        executable: exe !== undefined && /^[a-z]:\\|^\\\\/i.test(exe) ? exe : undefined,
        name: baseName(exe),
      },
      file: { path: script, name: baseName(script) },
      powershell: {
        command: { name: ctx['Command Name'], type: ctx['Command Type'] },
        pipeline_id: ctx['Pipeline ID'],
        runspace_id: ctx['Runspace ID'],
        payload: str(d.Payload),
      },
      user: { id: rec.userSid, ...splitAccount(ctx.User) },
    }),
  );
}

/** 4103 ContextInfo: "        Key = Value" lines (English rendering; other languages leave fields unset). */
function contextInfo(text: string | undefined): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  if (text === undefined) return out;
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*([^=]+?)\s*=\s?(.*)$/.exec(line);
    if (m?.[1] && out[m[1]] === undefined) out[m[1]] = str(m[2]?.trim());
  }
  return out;
}
