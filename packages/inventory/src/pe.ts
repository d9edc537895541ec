import { type ByteSource, View } from './bytes.js';
import { pkcs7Signer } from './der.js';
import type { PeInfo } from './types.js';

const MACHINES: Readonly<Record<number, string>> = {
  332: 'i386',
  34404: 'amd64',
  448: 'arm',
  452: 'armnt',
  43620: 'arm64',
  512: 'ia64',
  3772: 'efi-bytecode',
  20580: 'riscv64',
};
const SUBSYSTEMS: Readonly<Record<number, string>> = {
  1: 'native',
  2: 'windows-gui',
  3: 'windows-cui',
  9: 'windows-ce-gui',
  10: 'efi-application',
  11: 'efi-boot-service-driver',
  12: 'efi-runtime-driver',
  13: 'efi-rom',
  16: 'windows-boot-application',
};
const IMAGE_FILE_DLL = 0x2000;
const RT_VERSION = 16;
const WIN_CERT_TYPE_PKCS_SIGNED_DATA = 2;
/** The version strings a publisher rule can use. Others in the table are kept too. */
export const VERSION_KEYS = ['OriginalFilename', 'CompanyName', 'ProductName', 'FileVersion'] as const;

export function isPe(head: Buffer): boolean {
  return head.length >= 64 && head[0] === 0x4d && head[1] === 0x5a;
}

interface Section {
  vaddr: number;
  vsize: number;
  rawSize: number;
  rawPtr: number;
}

/**
 * Reads the COFF header, optional header, version resource and security directory of a PE file.
 * Returns undefined when there is no PE signature; other damage becomes `warnings`, never an exception.
 */
export function parsePe(src: ByteSource): PeInfo | undefined {
  const dos = new View(src.read(0, 64), true);
  if (dos.u16(0) !== 0x5a4d) return undefined;
  const peOffset = dos.u32(0x3c);
  if (peOffset === undefined) return undefined;
  const nt = new View(src.read(peOffset, 24 + 240), true);
  if (nt.u32(0) !== 0x00004550) return undefined; // "PE\0\0"
  const warnings: string[] = [];
  const machineNum = nt.u16(4) ?? 0;
  const sectionCount = Math.min(nt.u16(6) ?? 0, 96);
  const optSize = nt.u16(20) ?? 0;
  const characteristics = nt.u16(22) ?? 0;
  const magic = nt.u16(24);
  const bits: 32 | 64 = magic === 0x20b ? 64 : 32;
  if (magic !== 0x10b && magic !== 0x20b) warnings.push(`unknown optional header magic ${magic ?? 'missing'}`);
  const subsystemNum = nt.u16(24 + 68);
  const dirCount = nt.u32(24 + (bits === 64 ? 108 : 92)) ?? 0;
  const dirBase = 24 + (bits === 64 ? 112 : 96);
  const directory = (i: number) => {
    if (i >= dirCount) return undefined;
    const rva = nt.u32(dirBase + i * 8);
    const size = nt.u32(dirBase + i * 8 + 4);
    return rva && size ? { rva, size } : undefined;
  };

  const sectionTable = new View(src.read(peOffset + 24 + optSize, sectionCount * 40), true);
  const sections: Section[] = [];
  for (let i = 0; i < sectionCount; i++) {
    const at = i * 40;
    const vsize = sectionTable.u32(at + 8);
    const vaddr = sectionTable.u32(at + 12);
    const rawSize = sectionTable.u32(at + 16);
    const rawPtr = sectionTable.u32(at + 20);
    if (vsize === undefined || vaddr === undefined || rawSize === undefined || rawPtr === undefined) {
      warnings.push('section table truncated');
      break;
    }
    sections.push({ vaddr, vsize, rawSize, rawPtr });
  }
  const rvaToOffset = (rva: number): number | undefined => {
    for (const s of sections) {
      const span = Math.max(s.vsize, s.rawSize);
      if (rva >= s.vaddr && rva < s.vaddr + span) return s.rawPtr + (rva - s.vaddr);
    }
    return undefined;
  };

  let versionInfo: Record<string, string> | undefined;
  const resources = directory(2);
  if (resources) {
    const base = rvaToOffset(resources.rva);
    if (base === undefined) warnings.push('resource directory outside every section');
    else {
      const rsrc = src.read(base, Math.min(resources.size, 8 << 20));
      const data = findVersionResource(rsrc, rvaToOffset, src);
      if (data) versionInfo = parseVersionInfo(data);
    }
  }

  // The security directory holds a file offset, not an RVA (the certificate table is not mapped).
  let signed = false;
  let signer: { subject?: string; issuer?: string } | undefined;
  const security = directory(4);
  if (security) {
    const table = new View(src.read(security.rva, Math.min(security.size, 1 << 20)), true);
    const length = table.u32(0);
    const certType = table.u16(6);
    if (length !== undefined && length > 8 && certType !== undefined) {
      signed = true;
      if (certType === WIN_CERT_TYPE_PKCS_SIGNED_DATA) {
        signer = pkcs7Signer(table.buf.subarray(8, Math.min(length, table.buf.length)));
        if (!signer) warnings.push('signature is not a readable PKCS#7 SignedData');
      } else warnings.push(`certificate type ${certType} is not PKCS#7`);
    } else warnings.push('security directory points outside the file');
  }

  return {
    machine: MACHINES[machineNum] ?? `machine-0x${machineNum.toString(16)}`,
    bits,
    dll: (characteristics & IMAGE_FILE_DLL) !== 0,
    ...(subsystemNum !== undefined && SUBSYSTEMS[subsystemNum] ? { subsystem: SUBSYSTEMS[subsystemNum] } : {}),
    ...(versionInfo ? { versionInfo } : {}),
    signed,
    ...(signer?.subject ? { signerSubject: signer.subject } : {}),
    ...(signer?.issuer ? { signerIssuer: signer.issuer } : {}),
    ...(warnings.length > 0 ? { warnings } : {}),
  };
}

/** Walks type → name → language in the resource tree to the first RT_VERSION data blob. */
function findVersionResource(
  rsrc: Buffer,
  rvaToOffset: (rva: number) => number | undefined,
  src: ByteSource,
): Buffer | undefined {
  const v = new View(rsrc, true);
  const entries = (dirOffset: number) => {
    const named = v.u16(dirOffset + 12) ?? 0;
    const ids = v.u16(dirOffset + 14) ?? 0;
    const out: { id: number; target: number; isDir: boolean }[] = [];
    for (let i = 0; i < Math.min(named + ids, 4096); i++) {
      const name = v.u32(dirOffset + 16 + i * 8);
      const target = v.u32(dirOffset + 16 + i * 8 + 4);
      if (name === undefined || target === undefined) break;
      out.push({ id: name & 0x80000000 ? -1 : name, target: target & 0x7fffffff, isDir: (target & 0x80000000) !== 0 });
    }
    return out;
  };
  const type = entries(0).find((e) => e.id === RT_VERSION && e.isDir);
  if (!type) return undefined;
  const name = entries(type.target).find((e) => e.isDir);
  if (!name) return undefined;
  const lang = entries(name.target).find((e) => !e.isDir);
  if (!lang) return undefined;
  const dataRva = v.u32(lang.target);
  const size = v.u32(lang.target + 4);
  if (dataRva === undefined || size === undefined) return undefined;
  const offset = rvaToOffset(dataRva);
  return offset === undefined ? undefined : src.read(offset, Math.min(size, 1 << 20));
}

interface VersionNode {
  key: string;
  value: Buffer;
  valueIsText: boolean;
  children: VersionNode[];
}

const align4 = (n: number) => (n + 3) & ~3;

/** One VS_VERSIONINFO-style node: wLength, wValueLength, wType, UTF-16 key, padding, value, children. */
function parseNode(buf: Buffer, at: number, limit: number, depth: number): VersionNode | undefined {
  if (depth > 4 || at + 6 > limit) return undefined;
  const length = buf.readUInt16LE(at);
  const valueLength = buf.readUInt16LE(at + 2);
  const isText = buf.readUInt16LE(at + 4) === 1;
  const end = Math.min(at + length, limit);
  if (length < 6) return undefined;
  let keyEnd = at + 6;
  while (keyEnd + 1 < end && buf.readUInt16LE(keyEnd) !== 0) keyEnd += 2;
  const key = buf.toString('utf16le', at + 6, keyEnd);
  const valueStart = align4(keyEnd + 2);
  const valueBytes = isText ? valueLength * 2 : valueLength;
  const value = buf.subarray(Math.min(valueStart, end), Math.min(valueStart + valueBytes, end));
  const children: VersionNode[] = [];
  let child = align4(valueStart + valueBytes);
  while (child < end && children.length < 256) {
    const node = parseNode(buf, child, end, depth + 1);
    if (!node) break;
    children.push(node);
    const childLength = buf.readUInt16LE(child);
    child = align4(child + childLength);
  }
  return { key, value, valueIsText: isText, children };
}

/** The strings of the first StringTable in StringFileInfo (OriginalFilename, CompanyName, …). */
export function parseVersionInfo(data: Buffer): Record<string, string> | undefined {
  const root = parseNode(data, 0, data.length, 0);
  if (root?.key !== 'VS_VERSION_INFO') return undefined;
  const out: Record<string, string> = {};
  for (const info of root.children) {
    if (info.key !== 'StringFileInfo') continue;
    for (const table of info.children) {
      for (const s of table.children) {
        const text = s.value.toString('utf16le').replace(/\0.*$/s, '');
        if (!(s.key in out)) out[s.key] = text;
      }
    }
  }
  return Object.keys(out).length > 0 ? out : undefined;
}
