/**
 * Detector `masquerade` — T0849 Masquerading.
 *
 * Logic, each a separate finding:
 * 1. Renamed binary: the PE OriginalFileName (without a `.mui` suffix) differs from the file name.
 *    High when the original name is a program the catalogue knows (system binary, proxy binary,
 *    interpreter), low otherwise.
 * 2. System binary name outside its directories: the catalogue lists where genuine svchost.exe,
 *    lsass.exe, sshd … ship; the same name anywhere else is a masquerade. Compared without the drive
 *    letter (Windows may be installed on another drive). /usr/local/{bin,sbin} count as system
 *    directories on Linux (administrator-installed builds).
 * 3. Double extension: a document-like extension followed by an executable one (invoice.pdf.exe,
 *    report.docx   .scr), in the program or in a file named on its command line.
 * 4. Right-to-left override (U+202E) or left-to-right override (U+202D) in the program path, the
 *    command line or the script path: used to display "exe" backwards.
 *
 * Known false positives: Electron applications (Code.exe carries OriginalFileName electron.exe),
 * vendor builds that rename open-source tools, portable copies of system tools kept by
 * administrators, Python virtual environments (…/venv/bin/python3 is a "system name" elsewhere).
 */
import type { ExecEvent } from '@execguard/schema';
import { clip } from './indicators.js';
import type { Detector, Finding, HostState } from './types.js';
import { basename, dirname, interpreterOf, normPath, proxyOf, systemDirectories, viewOf } from './util.js';

const ID = 'masquerade';
const T = 'T0849';

const DOC = '(?:pdf|docx?|docm|xlsx?|xlsm|pptx?|rtf|txt|csv|jpe?g|png|gif|bmp|zip|rar|7z|html?|mp[34]|wav|avi|mov)';
const EXE = '(?:exe|scr|com|pif|bat|cmd|vbs|vbe|js|jse|wsf|wsh|hta|ps1|lnk|msi|cpl|jar|dll)';
/** A document extension, optional padding, then an executable extension, at the end of a name. */
const doubleExt = new RegExp(String.raw`\.${DOC}[\s_.]*\.${EXE}$`, 'i');
const doubleExtInText = new RegExp(String.raw`[^\s\\/"']+\.${DOC}[\s_.]*\.${EXE}(?=$|["'\s])`, 'i');
const overrides = /[\u202d\u202e]/;

function knownProgram(platform: 'windows' | 'linux', name: string): boolean {
  return (
    systemDirectories(platform, name) !== undefined ||
    proxyOf(platform, name) !== undefined ||
    interpreterOf(platform, name) !== undefined
  );
}

const stripDrive = (p: string) => p.replace(/^[a-z]:/, '');

export const masqueradeDetector: Detector = {
  id: ID,
  techniques: [T],
  detect(event: ExecEvent, state?: HostState): Finding[] {
    const v = viewOf(event, state);
    const p = v.proc;
    const out: Finding[] = [];

    // 1. Renamed binary.
    if (p.originalName && p.name && p.originalName !== p.name) {
      const strippedSame = p.originalName.replace(/\.[a-z0-9]+$/, '') === p.name.replace(/\.[a-z0-9]+$/, '');
      if (!strippedSame) {
        const known = knownProgram(v.platform, p.originalName);
        out.push({
          technique: T,
          detector: ID,
          severity: known ? 'high' : 'low',
          reason: `renamed binary: file name "${p.name}" but OriginalFileName "${p.originalName}"`,
        });
      }
    }

    // 2. System binary name outside its directories.
    if (p.norm && p.name && (p.norm.includes('/') || p.norm.includes('\\'))) {
      const dirs = systemDirectories(v.platform, p.name);
      if (dirs) {
        const dir = v.platform === 'windows' ? stripDrive(dirname(p.norm)) : dirname(p.norm);
        const absolute = v.platform === 'windows' ? /^[a-z]:\//.test(p.norm) : p.norm.startsWith('/');
        const ok =
          !absolute ||
          dirs.some((d) => (v.platform === 'windows' ? stripDrive(d) : d) === dir) ||
          (v.platform === 'linux' && (dir === '/usr/local/bin' || dir === '/usr/local/sbin'));
        if (!ok) {
          out.push({
            technique: T,
            detector: ID,
            severity: 'high',
            reason: `system binary name "${p.name}" outside ${dirs.join(', ')}: ${p.path}`,
          });
        }
      }
    }

    // 3. Double extension.
    if (p.name && doubleExt.test(p.name)) {
      out.push({ technique: T, detector: ID, severity: 'high', reason: `double extension in program name "${p.name}"` });
    } else {
      const script = event.file?.path;
      const m = (script !== undefined ? basename(normPath(script, v.platform)).match(doubleExt) : null)
        ? script
        : p.argString.match(doubleExtInText)?.[0];
      if (m) out.push({ technique: T, detector: ID, severity: 'high', reason: `double extension in file "${clip(m, 80)}"` });
    }

    // 4. Right-to-left override.
    for (const [field, value] of [
      ['process.executable', p.path],
      ['process.command_line', p.commandLine],
      ['file.path', event.file?.path],
    ] as const) {
      if (value && overrides.test(value)) {
        out.push({
          technique: T,
          detector: ID,
          severity: 'high',
          reason: `direction override character (U+202E/U+202D) in ${field}: ${clip(value.replace(/[\u202d\u202e]/g, '<RLO>'), 80)}`,
        });
        break;
      }
    }
    return out;
  },
};
