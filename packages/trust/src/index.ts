// @execguard/trust: signed policy bundles and the tamper-evident audit chain (Ed25519, node:crypto).
export {
  AuditChain,
  type AuditEntry,
  type AuditHead,
  type AuditInput,
  auditEntryHash,
  GENESIS_HASH,
  GENESIS_HEAD,
  nextAuditEntry,
} from './audit/chain.js';
export { type AuditCheckpoint, checkpointDue, signCheckpoint, verifyCheckpoint } from './audit/checkpoint.js';
export {
  formatAuditExport,
  formatAuditLine,
  type ParsedAuditExport,
  parseAuditExport,
  verifyAuditExport,
} from './audit/export.js';
export { AuditFileStore, type AuditFileStoreOptions } from './audit/file-store.js';
export {
  type AuditProblem,
  type AuditProblemKind,
  type AuditRecord,
  type AuditReport,
  type VerifyAuditOptions,
  verifyAuditLog,
  verifyAuditRecords,
} from './audit/verify.js';
export {
  BUNDLE_FORMAT,
  type BundleInput,
  type BundlePayload,
  type BundleScope,
  type HostIdentity,
  policyDigest,
  type SignedBundle,
  scopeIncludes,
  signBundle,
  type VerifiedBundle,
  type VerifyBundleOptions,
  verifyBundle,
} from './bundle.js';
export {
  type BundleState,
  type ImportBundleOptions,
  type ImportResult,
  importBundle,
  readBundleState,
  STATE_FILE,
} from './bundle-state.js';
export { canonicalBytes, canonicalJson } from './canonical.js';
export { isTrustError, TrustError, type TrustErrorCode } from './errors.js';
export { writeFileAtomic } from './fsutil.js';
export {
  generateSigningKey,
  keyIdOf,
  loadOrCreateSigningKey,
  parsePrivateKey,
  parsePublicKey,
  privateKeyPem,
  publicKeyPem,
  readPrivateKeyFile,
  readPublicKeyFile,
  type SigningKeyPair,
  type TrustedKey,
  toTrustedKeys,
  trustedKey,
  type WrittenKeyPair,
  writeSigningKey,
} from './keys.js';
