/**
 * Stable error codes: agents, the server and tests match on the code, people read the message.
 * Messages never contain key material.
 */
export type TrustErrorCode =
  /** Not a bundle / audit export at all, or a structurally broken one (bad JSON, bad base64…). */
  | 'E_MALFORMED'
  /** A bundle without a signature. */
  | 'E_UNSIGNED'
  /** The signature does not verify with the key it names: the bytes were altered. */
  | 'E_BAD_SIGNATURE'
  /** Signed by a key that is not among the trusted keys. */
  | 'E_UNKNOWN_KEY'
  | 'E_EXPIRED'
  | 'E_NOT_YET_VALID'
  /** Sequence lower than the one already accepted, or equal with different content. */
  | 'E_ROLLED_BACK'
  /** The bundle is for other hosts. */
  | 'E_OUT_OF_SCOPE'
  /** The signed policy does not validate (@execguard/schema). */
  | 'E_INVALID_POLICY'
  /** A key that cannot be read or is not an Ed25519 key of the expected kind. */
  | 'E_KEY'
  /** A private key file readable by group or others. */
  | 'E_KEY_PERMISSIONS'
  /** Arguments to a signing or append function that cannot be signed (bad dates, non-JSON values…). */
  | 'E_INVALID_INPUT'
  /** A state file (accepted sequence) that cannot be read: never silently reset, that would allow rollback. */
  | 'E_STATE'
  /** Another live process holds the lock on a state directory or audit file. */
  | 'E_LOCKED'
  /** An audit file whose last entry cannot be continued (its own hash does not match). */
  | 'E_AUDIT_CORRUPT';

export class TrustError extends Error {
  constructor(
    readonly code: TrustErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'TrustError';
  }
}

export function isTrustError(e: unknown, code?: TrustErrorCode): e is TrustError {
  return e instanceof TrustError && (code === undefined || e.code === code);
}
