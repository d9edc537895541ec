import { extname } from 'node:path';
import type { ByteSource } from './bytes.js';
import { elfFileType, isElf, parseElf } from './elf.js';
import { isPe, parsePe } from './pe.js';
import type { ElfInfo, FileType, PeInfo, ScriptInfo } from './types.js';

/** Extensions that make a file a script even without a shebang (Windows scripts never have one). */
export const SCRIPT_EXTENSIONS: ReadonlySet<string> = new Set([
  '.sh',
  '.bash',
  '.ksh',
  '.zsh',
  '.csh',
  '.py',
  '.pyw',
  '.pl',
  '.pm',
  '.rb',
  '.php',
  '.lua',
  '.tcl',
  '.awk',
  '.ps1',
  '.psm1',
  '.psd1',
  '.bat',
  '.cmd',
  '.vbs',
  '.vbe',
  '.js',
  '.jse',
  '.wsf',
  '.wsh',
  '.hta',
]);

export interface Classification {
  readonly type: FileType;
  readonly elf?: ElfInfo;
  readonly pe?: PeInfo;
  readonly script?: ScriptInfo;
  readonly installer?: { readonly format: 'deb' | 'rpm' | 'msi' };
}

const startsWith = (head: Buffer, bytes: readonly number[]) => bytes.every((b, i) => head[i] === b);
const OLE_COMPOUND = [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1];
const RPM_LEAD = [0xed, 0xab, 0xee, 0xdb];

/** Interpreter named by a shebang: the program, or for `/usr/bin/env [-S] [VAR=x] prog`, the program env runs. */
export function shebangInterpreter(line: string): string | undefined {
  const words = line.replace(/^#!/, '').trim().split(/\s+/).filter(Boolean);
  const program = words[0];
  if (!program) return undefined;
  if (program.endsWith('/env')) {
    const target = words.slice(1).find((w) => !w.startsWith('-') && !w.includes('='));
    return target ?? program;
  }
  return program;
}

/**
 * Decides what a file is from its first bytes (and its name for scripts without a shebang, and
 * installers): undefined for anything that is neither executable code nor an installer.
 */
export function classify(path: string, head: Buffer, src: ByteSource): Classification | undefined {
  const ext = extname(path).toLowerCase();
  if (isElf(head)) {
    const elf = parseElf(src);
    if (elf) return { type: elfFileType(elf), elf };
  }
  if (isPe(head)) {
    const pe = parsePe(src);
    if (pe) return { type: 'pe', pe };
  }
  if (
    startsWith(
      head,
      [...'!<arch>\ndebian-binary'].map((c) => c.charCodeAt(0)),
    )
  )
    return { type: 'installer', installer: { format: 'deb' } };
  if (startsWith(head, RPM_LEAD)) return { type: 'installer', installer: { format: 'rpm' } };
  if (ext === '.msi' && startsWith(head, OLE_COMPOUND)) return { type: 'installer', installer: { format: 'msi' } };
  if (head[0] === 0x23 && head[1] === 0x21) {
    const newline = head.indexOf(0x0a);
    const shebang = head
      .toString('utf8', 0, newline < 0 ? Math.min(head.length, 256) : Math.min(newline, 256))
      .replace(/\r$/, '');
    const interpreter = shebangInterpreter(shebang);
    return { type: 'script', script: { by: 'shebang', shebang, ...(interpreter ? { interpreter } : {}) } };
  }
  if (SCRIPT_EXTENSIONS.has(ext)) return { type: 'script', script: { by: 'extension' } };
  return undefined;
}
