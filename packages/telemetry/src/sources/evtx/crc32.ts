/** CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320) as used by EVTX file and chunk checksums. */

const TABLE: Uint32Array = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** Continue a CRC-32 over `buf[start, end)`; pass the previous result as `crc` to chain ranges. */
export function crc32(buf: Uint8Array, start = 0, end = buf.length, crc = 0): number {
  let c = ~crc >>> 0;
  const s = Math.max(0, start);
  const e = Math.min(buf.length, end);
  for (let i = s; i < e; i++) c = TABLE[(c ^ buf[i]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}
