import type { ExecEvent } from '@execguard/schema';
import { baseName, splitAccount } from '../../normalise/paths.js';
import type { SourceLocation } from '../../normalise/types.js';
import { guid, hex, int, str, toEvent } from '../../normalise/values.js';
import { windowsBase, withBase } from '../windows/base.js';
import type { WinRecord } from '../windows/record.js';

export const CODEINTEGRITY_PROVIDER = 'Microsoft-Windows-CodeIntegrity';

/** Images that are started as programs; anything else CodeIntegrity checks is loaded into "Process Name". */
const PROGRAM = /\.(exe|com|scr)$/i;

/**
 * WDAC CodeIntegrity 3076 (audit: would have been blocked), 3077 (blocked), 3089 (signature details that
 * accompany a 3076/3077, joined by the correlation ActivityID), and AppLocker-for-WDAC script events
 * 8028 (audit) / 8029 (blocked) as they appear in the WDAC workbook export.
 */
export function normaliseWdac(rec: WinRecord, loc: SourceLocation): ExecEvent | undefined {
  switch (rec.eventId) {
    case 3076:
    case 8028:
      return decision(rec, loc, false);
    case 3077:
    case 8029:
      return decision(rec, loc, true);
    case 3089:
      return signatureInfo(rec, loc);
    default:
      return undefined;
  }
}

function decision(rec: WinRecord, loc: SourceLocation, enforced: boolean): ExecEvent {
  const d = rec.data;
  const base = windowsBase(rec, loc, 'wdac', 'windows.codeintegrity');
  const target = str(d['File Name']);
  const caller = str(d['Process Name']);
  const script = rec.eventId === 8028 || rec.eventId === 8029;
  const program = !script && target !== undefined && PROGRAM.test(target);
  const identity = {
    // "SHA256 Hash" is the Authenticode (page-agnostic) hash; "SHA256 Flat Hash" is the hash of the file bytes.
    hash: {
      sha256: hex(d['SHA256 Flat Hash']),
      authenticode_sha256: hex(d['SHA256 Hash']),
      authenticode_sha1: hex(d['SHA1 Hash']),
    },
    pe: {
      original_file_name: str(d.OriginalFileName),
      product: str(d.ProductName),
      file_version: str(d.FileVersion),
      description: str(d.FileDescription),
    },
    code_signature: { subject_name: str(d.PublisherName) },
  };
  const category = program ? 'process' : script ? 'file' : 'library';
  return toEvent(
    withBase(base, {
      event: {
        category: [category],
        type: ['denied'],
        action: enforced ? 'blocked' : 'audit-blocked',
        outcome: enforced ? 'failure' : 'success',
      },
      process: program
        ? { executable: target, name: baseName(target), ...identity, parent: { executable: caller, name: baseName(caller) } }
        : { executable: caller, name: baseName(caller) },
      ...(category === 'library' ? { dll: { path: target, name: baseName(target), ...identity } } : {}),
      ...(category === 'file' ? { file: { path: target, name: baseName(target), ...identity } } : {}),
      rule: { ruleset: str(d.PolicyName), id: guid(d.PolicyGUID) ?? str(d.PolicyID) },
      user: splitAccount(str(d.UserName)),
      execguard: { enforced },
    }),
  );
}

function signatureInfo(rec: WinRecord, loc: SourceLocation): ExecEvent {
  const d = rec.data;
  const base = windowsBase(rec, loc, 'wdac', 'windows.codeintegrity');
  return toEvent(
    withBase(base, {
      event: { category: ['file'], type: ['info'], action: 'signature-information' },
      process: {},
      file: {
        code_signature: {
          subject_name: str(d.PublisherName),
          issuer_name: str(d.IssuerName),
          signed: int(d.TotalSignatureCount) !== undefined ? (int(d.TotalSignatureCount) ?? 0) > 0 : undefined,
        },
      },
    }),
  );
}
