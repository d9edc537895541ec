import { type ByteSource, cString, View } from './bytes.js';
import type { ElfInfo } from './types.js';

const MACHINES: Readonly<Record<number, string>> = {
  2: 'sparc',
  3: 'x86',
  8: 'mips',
  20: 'ppc',
  21: 'ppc64',
  22: 's390',
  40: 'arm',
  43: 'sparcv9',
  50: 'ia64',
  62: 'x86_64',
  183: 'aarch64',
  243: 'riscv',
  258: 'loongarch',
};
const TYPES: Readonly<Record<number, string>> = { 1: 'REL', 2: 'EXEC', 3: 'DYN', 4: 'CORE' };

const PT_LOAD = 1;
const PT_DYNAMIC = 2;
const PT_INTERP = 3;
const DT_NULL = 0;
const DT_NEEDED = 1;
const DT_STRTAB = 5;
const DT_STRSZ = 10;
const DT_SONAME = 14;
const DT_FLAGS_1 = 0x6ffffffb;
const DF_1_PIE = 0x08000000;
/** Caps that keep a hostile header from making us loop or allocate without end. */
const MAX_PHDRS = 4096;
const MAX_DYN_ENTRIES = 65536;
const MAX_NEEDED = 1024;

export function isElf(head: Buffer): boolean {
  return head.length >= 4 && head[0] === 0x7f && head[1] === 0x45 && head[2] === 0x4c && head[3] === 0x46;
}

interface Segment {
  type: number;
  offset: number;
  vaddr: number;
  filesz: number;
}

/**
 * Reads the ELF header, program headers, PT_INTERP and the dynamic section (DT_NEEDED, DT_SONAME).
 * Returns undefined when the file is not ELF or its identification bytes are invalid; any other
 * damage is reported in `warnings` and never thrown.
 */
export function parseElf(src: ByteSource): ElfInfo | undefined {
  const head = src.read(0, 64);
  if (!isElf(head)) return undefined;
  const cls = head[4];
  const data = head[5];
  if ((cls !== 1 && cls !== 2) || (data !== 1 && data !== 2)) return undefined;
  const is64 = cls === 2;
  const v = new View(head, data === 1);
  const warnings: string[] = [];
  const typeNum = v.u16(16);
  const machineNum = v.u16(18);
  const elfType = typeNum === undefined ? 'unknown' : (TYPES[typeNum] ?? `type-${typeNum}`);
  const machine = machineNum === undefined ? 'unknown' : (MACHINES[machineNum] ?? `machine-${machineNum}`);
  const phoff = is64 ? v.u64(32) : v.u32(28);
  const phentsize = v.u16(is64 ? 54 : 42);
  const phnum = v.u16(is64 ? 56 : 44);

  const segments: Segment[] = [];
  if (phoff === undefined || phentsize === undefined || phnum === undefined) {
    warnings.push('truncated ELF header');
  } else if (phnum > 0 && phentsize < (is64 ? 56 : 32)) {
    warnings.push(`program header entry size ${phentsize} too small`);
  } else {
    const count = Math.min(phnum, MAX_PHDRS);
    const table = new View(src.read(phoff, count * phentsize), v.little);
    for (let i = 0; i < count; i++) {
      const at = i * phentsize;
      const type = table.u32(at);
      const offset = is64 ? table.u64(at + 8) : table.u32(at + 4);
      const vaddr = is64 ? table.u64(at + 16) : table.u32(at + 8);
      const filesz = is64 ? table.u64(at + 32) : table.u32(at + 16);
      if (type === undefined || offset === undefined || vaddr === undefined || filesz === undefined) {
        warnings.push(`program header table truncated at entry ${i} of ${phnum}`);
        break;
      }
      segments.push({ type, offset, vaddr, filesz });
    }
  }

  let interpreter: string | undefined;
  const interp = segments.find((s) => s.type === PT_INTERP);
  if (interp) {
    interpreter = cString(src.read(interp.offset, Math.min(interp.filesz, 4096)), 0);
    if (interpreter === undefined) warnings.push('PT_INTERP unreadable');
  }

  const needed: string[] = [];
  let soname: string | undefined;
  let pieFlag = false;
  const dynamic = segments.find((s) => s.type === PT_DYNAMIC);
  if (dynamic) {
    const entSize = is64 ? 16 : 8;
    const count = Math.min(Math.floor(dynamic.filesz / entSize), MAX_DYN_ENTRIES);
    const dyn = new View(src.read(dynamic.offset, count * entSize), v.little);
    const neededOffsets: number[] = [];
    let sonameOffset: number | undefined;
    let strtab: number | undefined;
    let strsz: number | undefined;
    for (let i = 0; i < count; i++) {
      const at = i * entSize;
      // Tags above 2^53 (processor-specific ranges) cannot be any of the tags we read.
      const tag = is64 ? safeTag(dyn, at) : dyn.u32(at);
      const val = is64 ? dyn.u64(at + 8) : dyn.u32(at + 4);
      if (tag === undefined) {
        warnings.push('dynamic section truncated');
        break;
      }
      if (tag === DT_NULL) break;
      if (val === undefined) continue;
      if (tag === DT_NEEDED && neededOffsets.length < MAX_NEEDED) neededOffsets.push(val);
      else if (tag === DT_SONAME) sonameOffset = val;
      else if (tag === DT_STRTAB) strtab = val;
      else if (tag === DT_STRSZ) strsz = val;
      else if (tag === DT_FLAGS_1) pieFlag = (val & DF_1_PIE) !== 0;
    }
    if (neededOffsets.length > 0 || sonameOffset !== undefined) {
      const strOffset = strtab === undefined ? undefined : fileOffsetOf(segments, strtab);
      if (strOffset === undefined) {
        warnings.push('dynamic string table not found');
      } else {
        const strings = src.read(strOffset, Math.min(strsz ?? 65536, 1 << 20));
        for (const off of neededOffsets) {
          const name = cString(strings, off);
          if (name === undefined) warnings.push(`DT_NEEDED string at ${off} unreadable`);
          else needed.push(name);
        }
        if (sonameOffset !== undefined) soname = cString(strings, sonameOffset);
      }
    }
  }
  const pie = elfType === 'DYN' && (pieFlag || (interpreter !== undefined && soname === undefined));
  return {
    class: is64 ? 64 : 32,
    endian: data === 1 ? 'little' : 'big',
    elfType,
    machine,
    ...(interpreter !== undefined ? { interpreter } : {}),
    static: interpreter === undefined && needed.length === 0,
    pie,
    needed,
    ...(soname !== undefined ? { soname } : {}),
    ...(warnings.length > 0 ? { warnings } : {}),
  };
}

/** A signed 64-bit tag: undefined when out of range, -1 when negative or beyond 2^53. */
function safeTag(dyn: View, at: number): number | undefined {
  if (at + 8 > dyn.buf.length) return undefined;
  return dyn.u64(at) ?? -1;
}

/** Maps a virtual address (as DT_STRTAB holds) to a file offset through the PT_LOAD segments. */
function fileOffsetOf(segments: readonly Segment[], vaddr: number): number | undefined {
  for (const s of segments) {
    if (s.type === PT_LOAD && vaddr >= s.vaddr && vaddr < s.vaddr + s.filesz) return s.offset + (vaddr - s.vaddr);
  }
  return undefined;
}

/** Executable (EXEC or PIE), shared library, or another ELF kind (relocatable object, core). */
export function elfFileType(info: ElfInfo): 'elf-executable' | 'elf-library' | 'elf-other' {
  if (info.elfType === 'EXEC') return 'elf-executable';
  if (info.elfType === 'DYN') return info.pie ? 'elf-executable' : 'elf-library';
  return 'elf-other';
}
