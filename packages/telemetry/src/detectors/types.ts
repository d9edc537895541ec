import type { ExecEvent } from '@execguard/schema';

export type Severity = 'low' | 'medium' | 'high';

/** One reason to believe an event shows an ATT&CK for ICS technique. */
export interface Finding {
  /** ATT&CK for ICS technique id, one of the seven M0938 techniques. */
  readonly technique: string;
  /** Human-readable, names the evidence (field and value). */
  readonly reason: string;
  /** Id of the detector that produced the finding. */
  readonly detector: string;
  readonly severity: Severity;
}

/** Minimal process facts remembered per host, keyed by pid, so a detector can name a parent that the record lacks. */
export interface KnownProcess {
  readonly executable?: string;
  readonly commandLine?: string;
}

/**
 * Small per-host history, owned by the caller and passed in explicitly. Detectors only read it;
 * `rememberProcess` (index.ts) writes it. Bounded: the oldest entries are dropped past `limit`.
 */
export interface HostState {
  readonly processes: Map<string, KnownProcess>;
  readonly limit: number;
}

export function newHostState(limit = 4096): HostState {
  return { processes: new Map(), limit };
}

export interface Detector {
  readonly id: string;
  /** Techniques the detector can report (documentation and tests). */
  readonly techniques: readonly string[];
  detect(event: ExecEvent, state?: HostState): Finding[];
}
