/**
 * Just enough DER to find who signed a PKCS#7 SignedData blob (an Authenticode signature): the
 * SignerInfo names its certificate by issuer + serial number; we find that certificate among the
 * embedded ones and format its subject. No validation of the signature or chain is claimed.
 *
 * Written here instead of pulling in pkijs/asn1js or node-forge: we read three fields, a hostile
 * file must never make the scanner throw or allocate, and a ~100-line bounds-checked reader is
 * easier to audit for that than a general ASN.1 library.
 */

interface Tlv {
  readonly tag: number;
  /** Offset of the value. */
  readonly start: number;
  /** Offset just past the value. */
  readonly end: number;
  /** Offset of the tag byte (for raw comparisons of whole elements). */
  readonly at: number;
}

function readTlv(buf: Buffer, at: number, limit: number): Tlv | undefined {
  if (at < 0 || at + 2 > limit) return undefined;
  const tag = buf[at]!;
  if ((tag & 0x1f) === 0x1f) return undefined; // high tag numbers never occur in the structures we read
  const first = buf[at + 1]!;
  let len: number;
  let start: number;
  if (first < 0x80) {
    len = first;
    start = at + 2;
  } else {
    const n = first & 0x7f;
    if (n === 0 || n > 4 || at + 2 + n > limit) return undefined; // indefinite length is not DER
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + buf[at + 2 + i]!;
    start = at + 2 + n;
  }
  const end = start + len;
  if (end > limit) return undefined;
  return { tag, start, end, at };
}

function children(buf: Buffer, parent: Tlv): Tlv[] {
  const out: Tlv[] = [];
  let at = parent.start;
  while (at < parent.end && out.length < 10000) {
    const t = readTlv(buf, at, parent.end);
    if (!t) break;
    out.push(t);
    at = t.end;
  }
  return out;
}

const SEQUENCE = 0x30;
const SET = 0x31;
const OID = 0x06;
const SIGNED_DATA_OID = '1.2.840.113549.1.7.2';

function oidString(buf: Buffer, t: Tlv): string {
  const bytes = buf.subarray(t.start, t.end);
  if (bytes.length === 0) return '';
  const parts: number[] = [Math.floor(bytes[0]! / 40), bytes[0]! % 40];
  let value = 0;
  for (let i = 1; i < bytes.length; i++) {
    value = value * 128 + (bytes[i]! & 0x7f);
    if ((bytes[i]! & 0x80) === 0) {
      parts.push(value);
      value = 0;
    }
  }
  return parts.join('.');
}

const ATTRIBUTE_NAMES: Readonly<Record<string, string>> = {
  '2.5.4.3': 'CN',
  '2.5.4.5': 'SERIALNUMBER',
  '2.5.4.6': 'C',
  '2.5.4.7': 'L',
  '2.5.4.8': 'ST',
  '2.5.4.9': 'STREET',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
  '1.2.840.113549.1.9.1': 'E',
  '0.9.2342.19200300.100.1.25': 'DC',
};

function stringValue(buf: Buffer, t: Tlv): string {
  const bytes = buf.subarray(t.start, t.end);
  if (t.tag === 0x1e) {
    // BMPString: UTF-16 big-endian
    const swapped = Buffer.from(bytes.subarray(0, bytes.length & ~1));
    swapped.swap16();
    return swapped.toString('utf16le');
  }
  if (t.tag === 0x14) return bytes.toString('latin1'); // T61String, in practice Latin-1
  return bytes.toString('utf8');
}

const escapeRdn = (s: string) => s.replace(/([,+"\\<>;])/g, '\\$1');

/** An X.501 Name formatted as RFC 4514 does it: most specific first ("CN=…, O=…, C=…"). */
function formatName(buf: Buffer, name: Tlv): string | undefined {
  if (name.tag !== SEQUENCE) return undefined;
  const rdns: string[] = [];
  for (const rdn of children(buf, name)) {
    if (rdn.tag !== SET) return undefined;
    const parts: string[] = [];
    for (const atv of children(buf, rdn)) {
      const [type, value] = children(buf, atv);
      if (!type || !value || type.tag !== OID) return undefined;
      const oid = oidString(buf, type);
      parts.push(`${ATTRIBUTE_NAMES[oid] ?? oid}=${escapeRdn(stringValue(buf, value))}`);
    }
    rdns.push(parts.join('+'));
  }
  return rdns.reverse().join(', ');
}

export interface SignerNames {
  readonly subject?: string;
  readonly issuer?: string;
}

/** Parses a PKCS#7 ContentInfo holding SignedData; returns the signer's names, or undefined when it is not one. */
export function pkcs7Signer(buf: Buffer): SignerNames | undefined {
  const contentInfo = readTlv(buf, 0, buf.length);
  if (!contentInfo || contentInfo.tag !== SEQUENCE) return undefined;
  const [type, explicit] = children(buf, contentInfo);
  if (!type || type.tag !== OID || oidString(buf, type) !== SIGNED_DATA_OID || !explicit || explicit.tag !== 0xa0)
    return undefined;
  const signedData = children(buf, explicit)[0];
  if (!signedData || signedData.tag !== SEQUENCE) return undefined;
  const fields = children(buf, signedData);
  const certificates = fields.find((f) => f.tag === 0xa0);
  const signerInfos = fields.filter((f) => f.tag === SET).at(-1); // digestAlgorithms is a SET too; signerInfos comes last
  if (!signerInfos) return undefined;
  const signerInfo = children(buf, signerInfos)[0];
  if (!signerInfo) return {};
  const sid = children(buf, signerInfo)[1];
  if (!sid || sid.tag !== SEQUENCE) return {}; // [0] subjectKeyIdentifier: no issuer+serial to match
  const [sidIssuer, sidSerial] = children(buf, sid);
  if (!sidIssuer || !sidSerial) return {};
  const issuerBytes = buf.subarray(sidIssuer.at, sidIssuer.end);
  const serialBytes = buf.subarray(sidSerial.at, sidSerial.end);
  const issuer = formatName(buf, sidIssuer);
  for (const cert of certificates ? children(buf, certificates) : []) {
    const tbs = children(buf, cert)[0];
    if (!tbs) continue;
    const f = children(buf, tbs);
    const offset = f[0]?.tag === 0xa0 ? 1 : 0; // optional [0] version
    const serial = f[offset];
    const certIssuer = f[offset + 2];
    const subject = f[offset + 4];
    if (!serial || !certIssuer || !subject) continue;
    if (
      buf.subarray(serial.at, serial.end).equals(serialBytes) &&
      buf.subarray(certIssuer.at, certIssuer.end).equals(issuerBytes)
    ) {
      const s = formatName(buf, subject);
      return { ...(s !== undefined ? { subject: s } : {}), ...(issuer !== undefined ? { issuer } : {}) };
    }
  }
  return issuer !== undefined ? { issuer } : {};
}
