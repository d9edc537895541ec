/**
 * Detector `native-api` — T0834 Native API, and T0894 for the Linux dynamic loader.
 *
 * Logic:
 * 1. Script code calling the operating system directly: Add-Type with -MemberDefinition or
 *    -TypeDefinition, DllImport/extern declarations, [Reflection.Assembly]::Load…, VirtualAlloc,
 *    VirtualProtect, CreateThread, WriteProcessMemory, GetProcAddress, GetDelegateForFunctionPointer,
 *    DefineDynamicAssembly; Python ctypes/cffi; memfd_create/fexecve; Perl syscall(). Read in an
 *    interpreter's inline code and in PowerShell script blocks. `Add-Type -AssemblyName` and
 *    `LoadWithPartialName` alone are not reported.
 * 2. Linux in-memory execution: a program image that is an anonymous memory file (`/memfd:…`,
 *    `execguard.memfd`) — high.
 * 3. Linux deleted executable: the image path ends in " (deleted)" (the file was removed after it
 *    was started, a common way to leave nothing on disk) — medium.
 * 4. Linux loader invocation: the program is the dynamic loader (ld-linux*.so, ld.so, ld-musl) or
 *    the sensor saw `execguard.loader_invocation` — T0894 high: the loaded program was never
 *    executed itself, so execution control never saw it.
 *
 * Known false positives: administrative PowerShell that P/Invokes user32/kernel32 for window or
 * token handling, Python tools using ctypes for hardware access (common with fieldbus and serial
 * adapters on engineering hosts), package upgrades replacing a running binary (" (deleted)"),
 * `ldd` implemented by calling the loader with --list (reported; rarely on production HMIs).
 */
import type { ExecEvent } from '@execguard/schema';
import { clip, matching, nativeApiIndicators } from './indicators.js';
import type { Detector, Finding, HostState } from './types.js';
import { inlineFlag, interpreterOfProc, isLoaderName, viewOf } from './util.js';

const ID = 'native-api';

export const nativeApiDetector: Detector = {
  id: ID,
  techniques: ['T0834', 'T0894'],
  detect(event: ExecEvent, state?: HostState): Finding[] {
    const v = viewOf(event, state);
    const p = v.proc;
    const out: Finding[] = [];

    const code: string[] = [];
    const spec = interpreterOfProc(v.platform, p);
    if (spec && (inlineFlag(spec, p.args) !== undefined || event.execguard?.inline_code === true)) code.push(p.argString);
    if (v.scriptText !== undefined) code.push(v.scriptText);
    for (const text of code) {
      const hits = matching(nativeApiIndicators, text);
      if (hits.length > 0) {
        out.push({
          technique: 'T0834',
          detector: ID,
          severity: hits.length > 1 ? 'high' : 'medium',
          reason: `code ${hits.map((h) => h.what).join(', ')}: ${clip(text)}`,
        });
      }
    }

    const exe = p.path ?? '';
    if (event.execguard?.memfd === true || exe.startsWith('/memfd:') || exe.startsWith('memfd:')) {
      out.push({
        technique: 'T0834',
        detector: ID,
        severity: 'high',
        reason: `program runs from an anonymous memory file: ${exe || 'execguard.memfd'}`,
      });
    } else if (exe.startsWith('/') && exe.endsWith(' (deleted)')) {
      out.push({ technique: 'T0834', detector: ID, severity: 'medium', reason: `program image was deleted from disk: ${exe}` });
    }

    const loader =
      event.execguard?.loader_invocation === true ||
      (p.name !== '' && isLoaderName(p.name)) ||
      (p.originalName !== undefined && isLoaderName(p.originalName));
    if (loader && v.platform === 'linux') {
      out.push({
        technique: 'T0894',
        detector: ID,
        severity: 'high',
        reason: `dynamic loader executed directly: ${clip(p.commandLine || exe || p.name)}`,
      });
    }
    return out;
  },
};
