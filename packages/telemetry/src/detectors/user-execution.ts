/**
 * Detector `user-execution` — T0863 User Execution.
 *
 * Logic:
 * 1. Program started from a place users can write to (catalogue `userWritableLocations`):
 *    downloads and removable media high, temp folders medium, other profile folders (AppData,
 *    Desktop, a Linux home) and user-creatable system folders (ProgramData, Windows\Tasks …) low.
 *    A sensor that knows the volume is removable sets `execguard.process.removable: true`
 *    (Windows drive letters cannot be told apart from fixed disks by path).
 * 2. A script started from such a place: the interpreter's script operand, or `file.path`.
 * 3. A document reader, mail client or browser (winword, excel, powerpnt, outlook, acrord32,
 *    chrome, msedge, firefox …) starting code: an interpreter, a proxy binary, or a program in a
 *    user-writable place. Browsers starting their own helpers are not reported.
 *
 * Known false positives: per-user installs (Teams, OneDrive, VS Code, Zoom under AppData),
 * installers and updaters unpacking helpers to Temp (DismHost.exe, setup stubs), portable tools on
 * an engineering laptop's Desktop, Office add-ins launching helpers, "open with" from a browser
 * download bar.
 */
import type { ExecEvent } from '@execguard/schema';
import { clip } from './indicators.js';
import type { Detector, Finding, HostState, Severity } from './types.js';
import { inlineFlag, interpreterOfProc, normPath, proxyOf, userWritableKind, viewOf } from './util.js';

const ID = 'user-execution';
const T = 'T0863';

/** Programs that open content from outside (documents, mail, web pages). Lower-case file names. */
export const contentHandlers: readonly string[] = [
  'winword.exe',
  'excel.exe',
  'powerpnt.exe',
  'outlook.exe',
  'msaccess.exe',
  'mspub.exe',
  'visio.exe',
  'onenote.exe',
  'wordpad.exe',
  'acrord32.exe',
  'acrobat.exe',
  'foxitreader.exe',
  'foxitpdfreader.exe',
  'sumatrapdf.exe',
  'chrome.exe',
  'msedge.exe',
  'firefox.exe',
  'iexplore.exe',
  'brave.exe',
  'opera.exe',
  'thunderbird.exe',
  'libreoffice',
  'soffice.bin',
  'evince',
  'okular',
];

/** Helpers a browser or reader legitimately starts (its own processes, crash reporters, updaters). */
const ownHelpers =
  /^(?:chrome|msedge|msedgewebview2|firefox|plugin-container|crashreporter|default-browser-agent|iexplore|brave|opera|acrord32|acrocef|acrobat|rdrcef|adobearm|armsvc|identity_helper|elevation_service|notification_helper|setup|mip_|werfault|splwow64|conhost|winword|excel|powerpnt|outlook|onenote|msoia|officeclicktorun|soffice\.bin|oosplash)(?:\.exe)?$/;

const kindSeverity: Record<string, Severity> = {
  download: 'high',
  removable: 'high',
  temp: 'medium',
  'shared-memory': 'high',
  'user-profile': 'low',
};

function severityFor(kind: string, path: string): Severity {
  // ProgramData and the Windows writable sub-folders are catalogued as "temp" but hold many installed agents.
  if (/^[a-z]:\/(?:programdata|windows)\//.test(path) && !/^[a-z]:\/windows\/temp\//.test(path)) return 'low';
  return kindSeverity[kind] ?? 'low';
}

export const userExecutionDetector: Detector = {
  id: ID,
  techniques: [T],
  detect(event: ExecEvent, state?: HostState): Finding[] {
    const v = viewOf(event, state);
    const p = v.proc;
    const out: Finding[] = [];

    const removable = (event.execguard?.process as { removable?: unknown } | undefined)?.removable === true;
    const kind = removable ? 'removable' : p.path !== undefined ? userWritableKind(v.platform, p.path) : undefined;
    if (kind && p.path) {
      out.push({
        technique: T,
        detector: ID,
        severity: severityFor(kind, p.norm ?? ''),
        reason: `program started from a user-writable location (${kind}): ${p.path}`,
      });
    }

    // A script file in a user-writable place.
    const spec = interpreterOfProc(v.platform, p);
    if (spec && !kind) {
      let script = event.file?.path;
      if (script === undefined && inlineFlag(spec, p.args) === undefined) {
        script = p.args.find((a) => spec.scriptExtensions?.some((e) => a.toLowerCase().replace(/["']/g, '').endsWith(e)));
      }
      const sk = script !== undefined ? userWritableKind(v.platform, script) : undefined;
      if (script !== undefined && sk) {
        out.push({
          technique: T,
          detector: ID,
          severity: severityFor(sk, normPath(script, v.platform)),
          reason: `${p.name} runs a script from a user-writable location (${sk}): ${script}`,
        });
      }
    }

    // A document reader or browser starting code.
    const parent = v.parent?.name;
    if (parent && contentHandlers.includes(parent) && p.name && !ownHelpers.test(p.name)) {
      const what = spec
        ? 'an interpreter'
        : proxyOf(v.platform, p.name)
          ? 'a proxy binary'
          : kind
            ? 'a user-writable program'
            : undefined;
      if (what) {
        out.push({
          technique: T,
          detector: ID,
          severity: 'high',
          reason: `${parent} started ${what}: ${clip(p.commandLine || p.path || p.name)}`,
        });
      }
    }
    return out;
  },
};
