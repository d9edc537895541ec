import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject, sign, verify } from 'node:crypto';
import { closeSync, fstatSync, fsyncSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { decodeBase64Strict } from './encoding.js';
import { TrustError } from './errors.js';

/**
 * Ed25519 keys (node:crypto only). A key id is "sha256:" + hex SHA-256 of the raw 32-byte public
 * key: independent of how the key is encoded (PEM, DER, raw), so the same key always has one id.
 * Key material is held in KeyObjects (which print no secret when logged) and never appears in an
 * error message.
 */
export interface TrustedKey {
  readonly keyId: string;
  readonly publicKey: KeyObject;
}

export interface SigningKeyPair extends TrustedKey {
  readonly privateKey: KeyObject;
}

// DER prefixes of PKCS#8 (private) and SPKI (public) for Ed25519 (RFC 8410): raw keys are
// wrapped in them so node:crypto can import them.
const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

export function generateSigningKey(): SigningKeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return { privateKey, publicKey, keyId: keyIdOf(publicKey) };
}

export function rawPublicKey(publicKey: KeyObject): Buffer {
  const der = publicKey.export({ format: 'der', type: 'spki' });
  return der.subarray(der.length - 32);
}

export function keyIdOf(key: KeyObject): string {
  const pub = key.type === 'private' ? createPublicKey(key) : key;
  assertEd25519(pub, 'public');
  return `sha256:${createHash('sha256').update(rawPublicKey(pub)).digest('hex')}`;
}

export function trustedKey(publicKey: KeyObject): TrustedKey {
  assertEd25519(publicKey, 'public');
  return { keyId: keyIdOf(publicKey), publicKey };
}

/** Accepts KeyObjects or TrustedKeys, so callers can pass whatever they loaded. */
export function toTrustedKeys(keys: readonly (KeyObject | TrustedKey)[] | KeyObject | TrustedKey): TrustedKey[] {
  const list = Array.isArray(keys) ? keys : [keys];
  return list.map((k: KeyObject | TrustedKey) => ('keyId' in k && 'publicKey' in k ? k : trustedKey(k as KeyObject)));
}

function assertEd25519(key: KeyObject, type: 'public' | 'private'): void {
  if (key.asymmetricKeyType !== 'ed25519')
    throw new TrustError('E_KEY', `not an Ed25519 key (${key.asymmetricKeyType ?? key.type})`);
  if (key.type !== type) throw new TrustError('E_KEY', `expected a ${type} key, got a ${key.type} key`);
}

/** Raw keys may be given as 32 bytes, 64 hex characters or base64 of 32 bytes. */
function rawBytes(data: string | Uint8Array): Buffer | undefined {
  if (typeof data !== 'string') {
    if (data.length === 32) return Buffer.from(data);
    return rawBytes(Buffer.from(data).toString('latin1'));
  }
  const t = data.trim();
  if (/^[0-9a-fA-F]{64}$/.test(t)) return Buffer.from(t, 'hex');
  const b = decodeBase64Strict(t);
  return b?.length === 32 ? b : undefined;
}

const isPem = (data: string | Uint8Array) =>
  (typeof data === 'string' ? data : Buffer.from(data).toString('latin1')).includes('-----BEGIN ');

/** A private key from PEM (PKCS#8) or a raw 32-byte seed. */
export function parsePrivateKey(data: string | Uint8Array): KeyObject {
  let key: KeyObject;
  try {
    if (isPem(data)) key = createPrivateKey({ key: Buffer.from(data), format: 'pem' });
    else {
      const raw = rawBytes(data);
      if (!raw) throw new TrustError('E_KEY', 'not a PEM key nor a raw 32-byte Ed25519 key');
      key = createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, raw]), format: 'der', type: 'pkcs8' });
    }
  } catch (e) {
    if (e instanceof TrustError) throw e;
    // node's message can quote the input; ours never does.
    throw new TrustError('E_KEY', 'cannot read the private key (not an Ed25519 PKCS#8 PEM or raw key)');
  }
  assertEd25519(key, 'private');
  return key;
}

/** A public key from PEM (SPKI) or raw 32 bytes. A private key is refused: it must not be handed out. */
export function parsePublicKey(data: string | Uint8Array): KeyObject {
  const text = typeof data === 'string' ? data : Buffer.from(data).toString('latin1');
  if (/-----BEGIN (?:[A-Z]+ )?PRIVATE KEY-----/.test(text)) {
    throw new TrustError('E_KEY', 'this is a private key; give the public key (keep the private key on the signing host)');
  }
  let key: KeyObject;
  try {
    if (isPem(data)) key = createPublicKey({ key: Buffer.from(data), format: 'pem' });
    else {
      const raw = rawBytes(data);
      if (!raw) throw new TrustError('E_KEY', 'not a PEM key nor a raw 32-byte Ed25519 key');
      key = createPublicKey({ key: Buffer.concat([SPKI_PREFIX, raw]), format: 'der', type: 'spki' });
    }
  } catch (e) {
    if (e instanceof TrustError) throw e;
    throw new TrustError('E_KEY', 'cannot read the public key (not an Ed25519 SPKI PEM or raw key)');
  }
  assertEd25519(key, 'public');
  return key;
}

function readKeyFile(path: string, what: string): { data: Buffer; mode: number } {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    throw new TrustError('E_KEY', `${path}: cannot read the ${what} (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  try {
    // fstat on the opened descriptor: the mode checked is the mode of the file read.
    return { mode: fstatSync(fd).mode, data: readFileSync(fd) };
  } finally {
    closeSync(fd);
  }
}

/**
 * Reads a private key file, refusing one that group or others may read (as ssh does): a signing
 * key that others can read may already be someone else's.
 */
export function readPrivateKeyFile(path: string): KeyObject {
  const { data, mode } = readKeyFile(path, 'private key');
  if (process.platform !== 'win32' && (mode & 0o077) !== 0) {
    throw new TrustError(
      'E_KEY_PERMISSIONS',
      `${path}: private key is accessible by group or others (mode ${(mode & 0o777).toString(8)}); chmod 600 it`,
    );
  }
  try {
    return parsePrivateKey(data);
  } catch (e) {
    throw new TrustError((e as TrustError).code, `${path}: ${(e as Error).message}`);
  }
}

export function readPublicKeyFile(path: string): KeyObject {
  const { data } = readKeyFile(path, 'public key');
  try {
    return parsePublicKey(data);
  } catch (e) {
    throw new TrustError((e as TrustError).code, `${path}: ${(e as Error).message}`);
  }
}

export const privateKeyPem = (k: KeyObject) => k.export({ format: 'pem', type: 'pkcs8' }).toString();
export const publicKeyPem = (k: KeyObject) => k.export({ format: 'pem', type: 'spki' }).toString();

function writeNew(path: string, text: string, mode: number): void {
  let fd: number;
  try {
    // 'wx': never overwrite a key (a replaced signing key silently breaks every agent's trust).
    fd = openSync(path, 'wx', mode);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new TrustError('E_KEY', `${path}: cannot create (${code === 'EEXIST' ? 'already exists; not overwritten' : code})`);
  }
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

export interface WrittenKeyPair {
  readonly keyId: string;
  readonly privateKeyPath: string;
  readonly publicKeyPath: string;
}

/**
 * Generates a key pair into DIR: NAME.key (PKCS#8 PEM, mode 0600) and NAME.pub (SPKI PEM, 0644).
 * Existing files are never overwritten.
 */
export function writeSigningKey(dir: string, name = 'execguard-signing', pair = generateSigningKey()): WrittenKeyPair {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const privateKeyPath = join(dir, `${name}.key`);
  const publicKeyPath = join(dir, `${name}.pub`);
  writeNew(privateKeyPath, privateKeyPem(pair.privateKey), 0o600);
  writeNew(publicKeyPath, publicKeyPem(pair.publicKey), 0o644);
  return { keyId: pair.keyId, privateKeyPath, publicKeyPath };
}

/**
 * Domain-separated Ed25519: every signature covers a context string first, so a signature made
 * for one purpose (an audit checkpoint) can never be replayed as another (a bundle).
 */
export function signWithContext(context: string, data: Uint8Array, privateKey: KeyObject): Buffer {
  assertEd25519(privateKey, 'private');
  return sign(null, Buffer.concat([Buffer.from(`${context}\n`, 'utf8'), data]), privateKey);
}

export function verifyWithContext(context: string, data: Uint8Array, signature: Uint8Array, publicKey: KeyObject): boolean {
  if (signature.length !== 64) return false;
  return verify(null, Buffer.concat([Buffer.from(`${context}\n`, 'utf8'), data]), publicKey, signature);
}

/**
 * The server's "generated on first start, or supplied" key: reads DIR/NAME.key when it exists
 * (mode checked), otherwise creates the pair. Two processes racing on first start: the loser's
 * exclusive create fails and it reads the winner's key.
 */
export function loadOrCreateSigningKey(dir: string, name = 'execguard-signing'): SigningKeyPair & { readonly created: boolean } {
  const path = join(dir, `${name}.key`);
  const read = () => {
    const privateKey = readPrivateKeyFile(path);
    const publicKey = createPublicKey(privateKey);
    return { privateKey, publicKey, keyId: keyIdOf(publicKey), created: false };
  };
  try {
    return read();
  } catch (e) {
    if (!(e instanceof TrustError) || e.code !== 'E_KEY' || !/ENOENT/.test(e.message)) throw e;
  }
  const pair = generateSigningKey();
  try {
    writeSigningKey(dir, name, pair);
  } catch (e) {
    if (e instanceof TrustError && /already exists/.test(e.message)) return read();
    throw e;
  }
  return { ...pair, created: true };
}
