import type { ExecEvent } from '@execguard/schema';
import { baseName } from '../../normalise/paths.js';
import type { SourceLocation } from '../../normalise/types.js';
import { guid, hex, int, logonId, str, toEvent } from '../../normalise/values.js';
import { windowsBase, withBase } from '../windows/base.js';
import type { WinRecord } from '../windows/record.js';

export const APPLOCKER_PROVIDER = 'Microsoft-Windows-AppLocker';

/**
 * AppLocker 8002–8007: 8002/8005 allowed, 8003/8006 audit mode (would have been blocked), 8004/8007 blocked;
 * 8002–8004 are EXE/DLL decisions, 8005–8007 script/MSI decisions.
 */
const ACTIONS: Record<number, { action: string; type: string; outcome: string; enforced?: boolean }> = {
  8002: { action: 'allowed', type: 'allowed', outcome: 'success' },
  8003: { action: 'audit-blocked', type: 'denied', outcome: 'success', enforced: false },
  8004: { action: 'blocked', type: 'denied', outcome: 'failure', enforced: true },
  8005: { action: 'allowed', type: 'allowed', outcome: 'success' },
  8006: { action: 'audit-blocked', type: 'denied', outcome: 'success', enforced: false },
  8007: { action: 'blocked', type: 'denied', outcome: 'failure', enforced: true },
};

export function normaliseAppLocker(rec: WinRecord, loc: SourceLocation): ExecEvent | undefined {
  const a = rec.eventId !== undefined ? ACTIONS[rec.eventId] : undefined;
  if (!a) return undefined;
  const d = rec.data;
  const base = windowsBase(rec, loc, 'applocker', 'windows.applocker');
  const policy = str(d.PolicyName)?.toUpperCase();
  // FullFilePath is the real path; FilePath uses AppLocker's %OSDRIVE% style variables.
  const path = str(d.FullFilePath) ?? str(d.FilePath);
  const fqbn = parseFqbn(str(d.Fqbn));
  // FileHash is AppLocker's Authenticode SHA-256 for PE files, not the flat file hash, so it is kept apart
  // (a baseline of file hashes would not match it).
  const subject = { hash: { authenticode_sha256: hex(d.FileHash) }, pe: fqbn.pe, code_signature: fqbn.signature };
  const isProgram = policy === 'EXE' || (policy === undefined && rec.eventId !== undefined && rec.eventId <= 8004);
  const category = isProgram ? 'process' : policy === 'DLL' ? 'library' : 'file';
  const pid = int(d.TargetProcessId);
  return toEvent(
    withBase(base, {
      event: { category: [category], type: [a.type], action: a.action, outcome: a.outcome },
      process: isProgram ? { pid, executable: path, name: baseName(path), ...subject } : { pid },
      ...(category === 'library' ? { dll: { path, name: baseName(path), ...subject } } : {}),
      ...(category === 'file' ? { file: { path, name: baseName(path), ...subject } } : {}),
      rule: { id: guid(d.RuleId), name: str(d.RuleName), ruleset: str(d.PolicyName) },
      user: { id: str(d.TargetUser) },
      winlog: { logon: { id: logonId(d.TargetLogonId) } },
      execguard: { enforced: a.enforced },
    }),
  );
}

/** "O=PUBLISHER, S=..., C=DE\PRODUCT\FILE.EXE\1.2.3.4" → signer subject, product, original name, version. */
export function parseFqbn(fqbn: string | undefined): {
  signature?: Record<string, unknown>;
  pe?: Record<string, unknown>;
} {
  if (fqbn === undefined) return {};
  const parts = fqbn.split('\\');
  const [subject, product, file, version] = parts;
  return {
    signature: { subject_name: str(subject), signed: str(subject) !== undefined },
    pe: { product: str(product), original_file_name: str(file), file_version: str(version) },
  };
}
