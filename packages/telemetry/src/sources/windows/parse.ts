import type { ExecEvent } from '@execguard/schema';
import type { SourceLocation } from '../../normalise/types.js';
import { normaliseAppLocker } from '../applocker/parse.js';
import { normalisePowerShell } from '../powershell/parse.js';
import { normaliseSecurity } from '../security-4688/parse.js';
import { normaliseSysmon } from '../sysmon/parse.js';
import { normaliseWdac } from '../wdac/parse.js';
import type { WinRecord } from './record.js';

/**
 * Routes a Windows record to its event-type normaliser by provider (or channel, for exporters that
 * lost the provider). Undefined means "well-formed but not an execution or decision record".
 */
export function normaliseWindows(rec: WinRecord, loc: SourceLocation): ExecEvent | undefined {
  const p = (rec.provider ?? '').toLowerCase();
  const c = (rec.channel ?? '').toLowerCase();
  if (p === 'microsoft-windows-sysmon' || c.startsWith('microsoft-windows-sysmon/')) return normaliseSysmon(rec, loc);
  if (p === 'microsoft-windows-security-auditing' || (p === '' && c === 'security')) return normaliseSecurity(rec, loc);
  if (p === 'microsoft-windows-applocker' || c.startsWith('microsoft-windows-applocker/')) {
    return rec.eventId === 8028 || rec.eventId === 8029 ? normaliseWdac(rec, loc) : normaliseAppLocker(rec, loc);
  }
  if (p === 'microsoft-windows-codeintegrity' || c.startsWith('microsoft-windows-codeintegrity/')) return normaliseWdac(rec, loc);
  if (p === 'microsoft-windows-powershell' || c === 'microsoft-windows-powershell/operational')
    return normalisePowerShell(rec, loc);
  return undefined;
}
