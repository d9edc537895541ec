/**
 * Detector `script-content` — T0853 Scripting (PowerShell, WSH, Python, Perl …) and T0807
 * Command-Line Interface (cmd, POSIX shells).
 *
 * Logic. For a program the catalogue knows as an interpreter (by file name or OriginalFileName):
 * - the code is read from the inline flag (-c, -Command, -EncodedCommand, /c, -e …) onwards; an
 *   -EncodedCommand value is base64-decoded (UTF-16LE) and read as well;
 * - high when the code downloads, evaluates run-time code (IEX, Invoke-Expression,
 *   [scriptblock]::Create), decodes base64, unpacks compressed payloads, is obfuscated, tampers with
 *   AMSI/logging, opens a reverse shell, carries a long base64 blob or writes to an admin share;
 * - high for an encoded PowerShell command even when its decoded text looks plain (the encoding
 *   hides it from review); medium for inline PowerShell with hidden-window or policy-bypass options;
 *   low for any other inline code given to PowerShell or a language runtime (python -c, perl -e …);
 * - a shell running a plain command (cmd /c dir, sh -c "ls") is not reported: that is how most
 *   software starts commands.
 * For a PowerShell script block (event 4104, `powershell.file.script_block_text` or
 * `winlog.event_data.ScriptBlockText`) the same content indicators apply, high when any matches.
 *
 * Known false positives: management agents and installers that ship encoded or hidden PowerShell
 * (SCCM, some RMM tools), Chocolatey/NuGet bootstrap one-liners (download + IEX by design), build
 * scripts that base64-decode artefacts, and PowerShell's own modules logged as script blocks when
 * they contain compression or reflection code.
 */
import type { ExecEvent } from '@execguard/schema';
import { clip, encodedFlag, matching, scriptIndicators, stealthOptions } from './indicators.js';
import type { Detector, Finding, HostState } from './types.js';
import { inlineFlag, interpreterOfProc, isShell, viewOf } from './util.js';

const ID = 'script-content';

/** Decodes a PowerShell -EncodedCommand value (base64 of UTF-16LE); undefined when it is not one. */
export function decodeEncodedCommand(value: string): string | undefined {
  const v = value.replace(/^["']|["']$/g, '');
  if (v.length < 4 || !/^[A-Za-z0-9+/=]+$/.test(v)) return undefined;
  const text = Buffer.from(v, 'base64').toString('utf16le');
  // Mostly printable, or it was not UTF-16LE text.
  let printable = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c >= 32 && c < 127) || c === 9 || c === 10 || c === 13) printable++;
  }
  return text.length > 0 && printable / text.length > 0.9 ? text : undefined;
}

export const scriptContentDetector: Detector = {
  id: ID,
  techniques: ['T0853', 'T0807'],
  detect(event: ExecEvent, state?: HostState): Finding[] {
    const v = viewOf(event, state);
    const out: Finding[] = [];

    const spec = interpreterOfProc(v.platform, v.proc);
    if (spec) {
      const args = v.proc.args;
      const flag = inlineFlag(spec, args);
      const observedInline = event.execguard?.inline_code === true;
      const technique = isShell(spec) && spec.id !== 'powershell' ? 'T0807' : 'T0853';
      const who = v.proc.name || spec.id;
      let encoded: string | undefined;
      let decoded: string | undefined;
      if (spec.id === 'powershell') {
        const i = args.findIndex((a) => encodedFlag.test(a));
        if (i >= 0) {
          encoded = args[i] as string;
          decoded = decodeEncodedCommand(args[i + 1] ?? '');
        }
      }
      const inline = flag !== undefined || observedInline || encoded !== undefined;
      // Only inline code is read here; script files are judged by their location and identity.
      if (inline) {
        const code = decoded !== undefined ? `${v.proc.argString}\n${decoded}` : v.proc.argString;
        const hits = matching(scriptIndicators, code);
        if (hits.length > 0) {
          out.push({
            technique,
            detector: ID,
            severity: 'high',
            reason: `${who} inline code ${hits.map((h) => h.what).join(', ')}: ${clip(decoded ?? v.proc.argString)}`,
          });
        } else if (encoded !== undefined) {
          out.push({
            technique,
            detector: ID,
            severity: 'high',
            reason: `${who} runs an encoded command (${encoded})${decoded !== undefined ? `: ${clip(decoded)}` : ''}`,
          });
        } else if (spec.id === 'powershell' && stealthOptions.test(v.proc.argString)) {
          out.push({
            technique,
            detector: ID,
            severity: 'medium',
            reason: `${who} inline command with hidden window or execution-policy bypass: ${clip(v.proc.argString)}`,
          });
        } else if (!isShell(spec) || spec.id === 'powershell') {
          out.push({
            technique,
            detector: ID,
            severity: 'low',
            reason: `${who} inline code (${flag ?? 'execguard.inline_code'}): ${clip(v.proc.argString)}`,
          });
        }
      }
    }

    if (v.scriptText !== undefined) {
      const hits = matching(scriptIndicators, v.scriptText);
      if (hits.length > 0) {
        out.push({
          technique: 'T0853',
          detector: ID,
          severity: 'high',
          reason: `script block ${hits.map((h) => h.what).join(', ')}: ${clip(v.scriptText)}`,
        });
      }
    }
    return out;
  },
};
