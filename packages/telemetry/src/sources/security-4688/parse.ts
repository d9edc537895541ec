import type { ExecEvent } from '@execguard/schema';
import { baseName } from '../../normalise/paths.js';
import type { SourceLocation } from '../../normalise/types.js';
import { commandLine, int, logonId, str, toEvent } from '../../normalise/values.js';
import { splitWindowsCommandLine } from '../../normalise/windows-args.js';
import { windowsBase, withBase } from '../windows/base.js';
import type { WinRecord } from '../windows/record.js';

export const SECURITY_PROVIDER = 'Microsoft-Windows-Security-Auditing';

/** Security 4688 "A new process has been created". NewProcessId and ProcessId are hex strings (0xea8). */
export function normaliseSecurity(rec: WinRecord, loc: SourceLocation): ExecEvent | undefined {
  if (rec.eventId !== 4688) return undefined;
  const d = rec.data;
  const base = windowsBase(rec, loc, 'security', 'windows.security');
  const image = str(d.NewProcessName);
  const parent = str(d.ParentProcessName); // version 2 of the event only
  const cmd = commandLine(d.CommandLine);
  // The subject is the account that created the process; the target account (version 2) is set only when
  // the new process runs as someone else, and is then the better answer to "who ran this".
  const targetSid = str(d.TargetUserSid);
  const useTarget = targetSid !== undefined && targetSid !== 'S-1-0-0' && str(d.TargetUserName) !== undefined;
  return toEvent(
    withBase(base, {
      event: { category: ['process'], type: ['start'], action: 'created-process' },
      process: {
        pid: int(d.NewProcessId),
        executable: image,
        name: baseName(image),
        command_line: cmd,
        args: cmd !== undefined ? splitWindowsCommandLine(cmd) : undefined,
        parent: { pid: int(d.ProcessId), executable: parent, name: baseName(parent) },
      },
      user: useTarget
        ? { id: targetSid, name: str(d.TargetUserName), domain: str(d.TargetDomainName) }
        : { id: str(d.SubjectUserSid), name: str(d.SubjectUserName), domain: str(d.SubjectDomainName) },
      winlog: { logon: { id: logonId(useTarget ? d.TargetLogonId : d.SubjectLogonId) } },
    }),
  );
}
