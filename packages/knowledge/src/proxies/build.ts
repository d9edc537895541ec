/**
 * Small helpers that keep the proxy tables readable. Patterns are regular expressions (JavaScript
 * syntax, applied case-insensitively) over the program's arguments joined by single spaces, so they
 * tolerate optional quotes: events built from a raw command line still carry them.
 */
import type { Platform, ProxyBinarySpec, ProxyPattern } from '@execguard/schema';
import type { IcsTechniqueId } from '../ics.js';

export type Category = ProxyPattern['category'];

export function pattern(
  id: string,
  args: string,
  technique: IcsTechniqueId,
  category: Category,
  description: string,
): ProxyPattern {
  return { id, args, technique, category, description };
}

export interface ProxyOptions {
  readonly names: readonly string[];
  readonly platform: Platform;
  readonly directories?: readonly string[];
  readonly sources: readonly string[];
  readonly blockRecommended?: boolean;
  readonly patterns: readonly ProxyPattern[];
}

/** One spec per name (e.g. wscript.exe and cscript.exe share patterns); the names are lower-cased. */
export function proxies(o: ProxyOptions): ProxyBinarySpec[] {
  return o.names.map((n) => ({
    name: n.toLowerCase(),
    platform: o.platform,
    ...(o.directories ? { directories: o.directories } : {}),
    patterns: o.patterns,
    ...(o.blockRecommended ? { blockRecommended: true } : {}),
    sources: o.sources,
  }));
}

/** Start of an argument (beginning of the string or after a space), optionally quoted. */
export const ARG = String.raw`(?:^|\s)["']?`;
/** A URL or UNC path: code fetched from elsewhere. */
export const REMOTE = String.raw`(?:https?:|ftp:|\\\\)`;
/**
 * An absolute, UNC or explicitly relative path that is not under the Windows or Program Files
 * directories (which only administrators can write on a default install).
 */
export const NON_SYSTEM_PATH = String.raw`(?!c:[\\/](?:windows|program files(?: \(x86\))?)[\\/])(?:[a-z]:[\\/]|\\\\|\.\.?[\\/]|%[a-z_]+%)`;
/** A POSIX shell named as a program operand, with or without a directory. */
export const SHELL_OPERAND = String.raw`(?:^|[\s'"=,:;|&(])(?:\S*/)?(?:sh|bash|rbash|dash|zsh|ksh|ksh93|mksh|ash|hush|csh|tcsh|fish|yash|posh|busybox)(?=$|[\s'",;)])`;
