export type Severity = 'info' | 'low' | 'medium' | 'high' | 'critical';
export const SEVERITIES: readonly Severity[] = ['info', 'low', 'medium', 'high', 'critical'];

/** A weakness found by lint or analysis: what, where, which technique it opens, how to fix it. */
export interface Finding {
  readonly id: string;
  readonly severity: Severity;
  readonly title: string;
  readonly techniques: readonly string[];
  readonly message: string;
  readonly fix: string;
  readonly evidence: Readonly<Record<string, unknown>>;
  readonly location?: { readonly path: string; readonly file?: string; readonly line?: number; readonly column?: number };
}
