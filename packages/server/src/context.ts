import type { Store } from '@execguard/store';
import type { EventWriter } from './ingest.js';

export const DAY = 86_400_000;
export const HOUR = 3_600_000;

export interface Limits {
  /** Default exception lifetime when the request names no expiry. */
  readonly exceptionDays: number;
  /** Longest exception lifetime accepted. */
  readonly maxExceptionDays: number;
  /** Emergency exceptions must be approved after the fact within this time, or they lapse. */
  readonly emergencyHours: number;
  /** Default audit period of a group entering audit mode. */
  readonly auditDays: number;
  /** Events kept this many days (retention job). */
  readonly retentionDays: number;
  /** Validity of a signed bundle. */
  readonly bundleDays: number;
}

export const DEFAULT_LIMITS: Limits = {
  exceptionDays: 90,
  maxExceptionDays: 365,
  emergencyHours: 24,
  auditDays: 30,
  retentionDays: 400,
  bundleDays: 30,
};

export interface AuditEntry {
  readonly actor: string;
  readonly action: string;
  readonly target: string | null;
  readonly data?: unknown;
}

/** Services the routes share. */
export interface Ctx {
  readonly store: Store;
  readonly now: () => number;
  readonly limits: Limits;
  readonly writer: EventWriter;
  /** Appends to the tamper-evident audit log; every state change goes through it. */
  readonly audit: (e: AuditEntry) => Promise<void>;
  /** Re-signs the current bundle after a change to what it holds (exceptions, windows, modes). */
  readonly republish: (actor: string, reason: string) => Promise<void>;
}
