/**
 * Detector `proxy-binary` — T0894 System Binary Proxy Execution (and T0853/T0807/T0871 where the
 * catalogue files a pattern there).
 *
 * Logic: the program's file name, and its OriginalFileName (so a renamed copy is still recognised),
 * are looked up in the proxy-binary catalogue of @execguard/knowledge. Each argument pattern of that
 * binary is tested (case-insensitively) against the arguments after argv[0] joined by spaces; every
 * pattern that matches is one finding with the pattern's technique. A binary without a matching
 * pattern is not reported: starting cmd, PowerShell or any proxy binary is not an alert by itself.
 *
 * When a matching proxy's arguments name a command shell as the program to run (conhost --headless
 * powershell …, forfiles /c "cmd /c …"), a T0807 finding is added: the proxy was used to get a shell.
 *
 * Known false positives: installers run through msiexec /i, administrators opening .msc consoles
 * from a share, software deployment tools calling rundll32/regsvr32 on their own DLLs, and on Linux
 * administrators using find -exec, vim or less with a shell escape interactively.
 */
import type { ExecEvent } from '@execguard/schema';
import type { Detector, Finding, HostState, Severity } from './types.js';
import { proxyOf, viewOf } from './util.js';

const ID = 'proxy-binary';

/** A command shell (Windows or POSIX) named as a program in the arguments. */
const shellOperand =
  /(?:^|[\s"'\\/=])(cmd|powershell|pwsh|powershell_ise|sh|bash|dash|zsh|ksh|csh|tcsh|fish)(?:\.exe)?(?=$|[\s"';])/i;

function severityOf(category: string, blockRecommended: boolean): Severity {
  if (category === 'download' || category === 'library-load' || category === 'awl-bypass') return 'high';
  return blockRecommended ? 'high' : 'medium';
}

export const proxyBinaryDetector: Detector = {
  id: ID,
  techniques: ['T0894', 'T0853', 'T0807', 'T0871'],
  detect(event: ExecEvent, state?: HostState): Finding[] {
    const v = viewOf(event, state);
    const out: Finding[] = [];
    const seen = new Set<string>();
    for (const name of [v.proc.name, v.proc.originalName]) {
      if (!name) continue;
      const px = proxyOf(v.platform, name);
      if (!px) continue;
      for (const p of px.patterns) {
        if (seen.has(p.id) || !p.re.test(v.proc.argString)) continue;
        seen.add(p.id);
        const renamed = name !== v.proc.name ? ` (renamed copy of ${name})` : '';
        out.push({
          technique: p.technique,
          detector: ID,
          severity: severityOf(p.category, px.blockRecommended),
          reason: `${v.proc.name || name}${renamed} matches proxy pattern ${p.id}: ${p.description}`,
        });
      }
    }
    if (out.length > 0) {
      const shell = v.proc.argString.match(shellOperand);
      if (shell) {
        out.push({
          technique: 'T0807',
          detector: ID,
          severity: 'medium',
          reason: `${v.proc.name} used to start a command shell (${shell[1]})`,
        });
      }
    }
    return out;
  },
};
