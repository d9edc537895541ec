/** Strict base64 (standard alphabet, padded): anything else is refused rather than guessed at. */
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export function decodeBase64Strict(s: string): Buffer | undefined {
  if (!BASE64.test(s)) return undefined;
  const b = Buffer.from(s, 'base64');
  // Non-zero padding bits would give two encodings of the same bytes.
  return b.toString('base64') === s ? b : undefined;
}

export const isHex64 = (s: unknown): s is string => typeof s === 'string' && /^[0-9a-f]{64}$/.test(s);
