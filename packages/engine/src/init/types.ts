import type { Catalogue, Finding, Policy } from '@execguard/schema';

/**
 * What `initPolicy` needs from a baseline entry. Defined here, not imported from
 * @execguard/inventory, because the engine depends on the schema alone (schema ← engine ← cli);
 * the CLI maps the inventory's baseline onto this shape.
 */
export interface InitEntry {
  readonly path: string;
  readonly sha256: string;
  /** The inventory's file type: elf-executable, elf-library, elf-other, pe, script, installer. */
  readonly type: string;
  readonly package?: { readonly manager: 'dpkg' | 'rpm'; readonly names: readonly string[]; readonly verified?: boolean };
  readonly signer?: {
    readonly subject: string;
    readonly product?: string;
    readonly originalFileName?: string;
    readonly fileVersion?: string;
  };
  readonly interpreter?: string;
  /** Non-root principals that can replace the file ("user:x", "group:y", "other"); empty or absent = administrators only. */
  readonly writableBy?: readonly string[];
}

export interface InitBaseline {
  readonly role?: string;
  /** Where the baseline came from (file names, hosts), quoted in rule descriptions. */
  readonly source?: string;
  readonly entries: readonly InitEntry[];
}

export type Role = 'hmi' | 'ews' | 'historian' | 'gateway';
export const ROLES: readonly Role[] = ['hmi', 'ews', 'historian', 'gateway'];

export interface InitOptions {
  readonly role?: Role;
  readonly name?: string;
  /** Generation instant (epoch ms): auditUntil is 30 days later. The engine never reads a clock. */
  readonly now: number;
  readonly catalogue: Catalogue;
}

export interface InitResult {
  readonly policy: Policy;
  /** Lines for the header comment of the generated file: what was done, what was left out and why. */
  readonly notes: readonly string[];
  /** Lint findings of the generated policy (high/critical ones are explained in `notes`). */
  readonly findings: readonly Finding[];
}
