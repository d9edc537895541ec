/**
 * Detector `api-execution` — T0871 Execution through API.
 *
 * Logic:
 * 1. WMI: a process whose parent is WmiPrvSE.exe (Win32_Process.Create, WMI event consumers) —
 *    high for shells, interpreters and proxy binaries, medium otherwise. WerFault/conhost and
 *    WmiPrvSE's own helpers are not reported.
 * 2. DCOM: a program started for COM automation (mmc.exe -Embedding, an Office application with
 *    -Embedding or /automation) — medium; a shell, interpreter or proxy binary started by mmc.exe,
 *    DllHost.exe or an automation-started Office application — high. Plain `DllHost.exe
 *    /Processid:{…}` surrogates are everyday COM and not reported.
 * 3. Task Scheduler: a shell, interpreter or proxy binary, or a program in a user-writable place,
 *    started by taskeng.exe, or by svchost.exe running the Schedule service (`-s Schedule`, or
 *    `-k netsvcs` when the service is not named); when the record names only svchost.exe as parent
 *    without its command line, a shell child is reported with low severity.
 * 4. WinRM: any process started by wsmprovhost.exe (remote PowerShell), high for shells.
 * 5. Code that calls those interfaces: WMI process creation, DCOM objects that run programs
 *    (MMC20.Application, ShellWindows), the scheduler API, Invoke-Command -ComputerName — in inline
 *    code or a script block.
 * 6. Remote-execution output channel: a shell whose command (or whose parent's command) redirects
 *    output to the local administrative share (`> \\127.0.0.1\ADMIN$\__…`), the way tools driving
 *    WMI, the service manager or the scheduler remotely collect results — high.
 * Linux: a shell started by cron/atd/systemd timers is ordinary and not reported.
 *
 * Known false positives: SCCM/Intune and monitoring agents that act through WMI, scheduled
 * maintenance tasks that run cmd or PowerShell scripts, Excel automation from reporting tools,
 * administrators using PowerShell remoting.
 */
import type { ExecEvent } from '@execguard/schema';
import { apiExecIndicators, clip, matching } from './indicators.js';
import type { Detector, Finding, HostState, Severity } from './types.js';
import { inlineFlag, interpreterOfProc, isShell, proxyOf, userWritableKind, viewOf } from './util.js';

const ID = 'api-execution';
const T = 'T0871';

const ignoredChildren = /^(?:werfault|wermgr|conhost|wmiprvse|wmiapsrv|wmiadap|mofcomp|scrcons)\.exe$/;
const officeApps = /^(?:excel|winword|powerpnt|outlook|visio|msaccess)\.exe$/;
const automation = /(?:^|\s)[-/](?:embedding|automation)\b/i;

export const apiExecutionDetector: Detector = {
  id: ID,
  techniques: [T],
  detect(event: ExecEvent, state?: HostState): Finding[] {
    const v = viewOf(event, state);
    const out: Finding[] = [];
    const p = v.proc;
    const spec = interpreterOfProc(v.platform, p);
    const codeRunner = spec !== undefined || (p.name !== '' && proxyOf(v.platform, p.name) !== undefined);
    const parent = v.parent;
    const pname = parent?.name ?? '';
    const push = (severity: Severity, reason: string) => out.push({ technique: T, detector: ID, severity, reason });
    const what = clip(p.commandLine || p.path || p.name);

    if (v.platform === 'windows' && p.name) {
      // 1. WMI
      if (pname === 'wmiprvse.exe' && !ignoredChildren.test(p.name)) {
        push(codeRunner ? 'high' : 'medium', `started through WMI (parent WmiPrvSE.exe): ${what}`);
      }
      // 2. DCOM
      if ((p.name === 'mmc.exe' || officeApps.test(p.name)) && automation.test(p.argString)) {
        push('medium', `${p.name} started for COM automation (DCOM): ${what}`);
      }
      const dcomParent =
        pname === 'mmc.exe' ||
        pname === 'dllhost.exe' ||
        (officeApps.test(pname) && parent !== undefined && automation.test(parent.argString));
      if (dcomParent && codeRunner) push('high', `${p.name} started by a DCOM-hosted ${pname}: ${what}`);
      // 3. Task Scheduler
      const kind = p.path !== undefined ? userWritableKind(v.platform, p.path) : undefined;
      if (codeRunner || kind) {
        const pargs = parent?.argString ?? '';
        if (
          pname === 'taskeng.exe' ||
          (pname === 'svchost.exe' && /(?:^|\s)-s\s+schedule\b|-k\s+netsvcs(?![\s\S]*-s\s)/i.test(pargs))
        ) {
          push('medium', `started by the Task Scheduler (${pname}${pargs ? ` ${clip(pargs, 40)}` : ''}): ${what}`);
        } else if (pname === 'svchost.exe' && pargs === '' && isShell(spec)) {
          push('low', `shell started by svchost.exe, probably the Task Scheduler: ${what}`);
        }
      }
      // 4. WinRM
      if (pname === 'wsmprovhost.exe' && !ignoredChildren.test(p.name)) {
        push(isShell(spec) ? 'high' : 'medium', `started through WinRM (parent wsmprovhost.exe): ${what}`);
      }
    }

    // 6. Output collected through the admin share.
    if (isShell(spec)) {
      const channel = /[12]?>\s*\\\\(?:127\.0\.0\.1|localhost|\[?::1\]?)\\(?:admin|c)\$\\/i;
      const where = channel.test(p.argString)
        ? p.argString
        : parent && channel.test(parent.argString)
          ? parent.argString
          : undefined;
      if (where !== undefined)
        push('high', `shell output redirected to the local admin share (remote execution channel): ${clip(where)}`);
    }

    // 5. Code calling management interfaces.
    const code: string[] = [];
    if (spec && (inlineFlag(spec, p.args) !== undefined || event.execguard?.inline_code === true)) code.push(p.argString);
    if (v.scriptText !== undefined) code.push(v.scriptText);
    for (const text of code) {
      for (const h of matching(apiExecIndicators, text)) push('high', `code ${h.what}: ${clip(text)}`);
    }
    return out;
  },
};
