/** CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320) as used by EVTX file and chunk checksums. */
import * as zlib from 'node:zlib';

const TABLE: Uint32Array = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** Native zlib.crc32 (Node >= 20.15 / 22.2), several times faster than the table loop below. */
const native = (zlib as { crc32?: (data: Uint8Array, value?: number) => number }).crc32;

/** Table-driven fallback for older Node versions. */
export function crc32Js(buf: Uint8Array, start: number, end: number, crc: number): number {
  let c = ~crc >>> 0;
  for (let i = start; i < end; i++) c = TABLE[(c ^ buf[i]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}

/** Continue a CRC-32 over `buf[start, end)`; pass the previous result as `crc` to chain ranges. */
export function crc32(buf: Uint8Array, start = 0, end = buf.length, crc = 0): number {
  const s = Math.max(0, start);
  const e = Math.min(buf.length, end);
  if (e <= s) return crc >>> 0;
  if (native !== undefined) return native(buf.subarray(s, e), crc) >>> 0;
  return crc32Js(buf, s, e, crc);
}
