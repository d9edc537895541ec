import type { Catalogue, Finding, Policy } from '@execguard/schema';

/**
 * What lint needs to know about one inventoried file (mapped from `execguard scan` records by the
 * CLI; the engine does not depend on @execguard/inventory).
 */
export interface InventoryFacts {
  readonly path: string;
  readonly sha256?: string;
  /** Non-root principals that can modify or replace the file through it or any ancestor directory. */
  readonly writableBy: {
    readonly users: readonly string[];
    readonly groups: readonly string[];
    readonly other: boolean;
    /** The file or directory (and how) that makes it writable, e.g. "/opt/app (group-writable by ops)". */
    readonly via?: string;
  };
  readonly mountNoexec?: boolean;
  /** A statically linked ELF program: it opens no C library, so the enforcer never sees its arguments. */
  readonly staticElf?: boolean;
  readonly package?: { readonly manager: string; readonly names: readonly string[]; readonly verified?: boolean };
}

/** Host posture (Linux) as recorded once per scan. */
export interface PostureFacts {
  readonly host?: string;
  readonly tmpDirs: ReadonlyArray<{
    readonly path: string;
    readonly exists: boolean;
    readonly worldWritable?: boolean;
    readonly noexec?: boolean;
  }>;
  /** vm.memfd_noexec: 0 allow, 1 default-noexec, 2 enforce; null when the kernel has no such knob. */
  readonly memfdNoexec: number | null;
  readonly loaders: readonly string[];
}

export interface LintContext {
  readonly policy: Policy;
  readonly catalogue: Catalogue;
  /** Evaluation instant (epoch ms) for time-based findings: audit periods, expiries. */
  readonly now: number;
  /** Files from inventories: evidence for checks that need the host (writable allowed paths, modified package files). */
  readonly inventory?: readonly InventoryFacts[];
  /** Host posture records from the same inventories. */
  readonly posture?: readonly PostureFacts[];
}

/** One bypass class: a pure function from the policy to its findings. */
export type Check = (ctx: LintContext) => Finding[];

/** All seven M0938 techniques: what an unenforced scope leaves open. */
export const ALL_TECHNIQUES = ['T0807', 'T0834', 'T0849', 'T0853', 'T0863', 'T0871', 'T0894'] as const;
