/** Error codes are stable: tools and tests match on them, people read the message. */
export type IssueCode =
  | 'E_PARSE'
  | 'E_SCHEMA'
  | 'E_DUPLICATE_ID'
  | 'E_WEAK_IDENTITY'
  | 'E_SIGNER_TOO_BROAD'
  | 'E_SAME_APPROVER'
  | 'E_BAD_REGEX'
  | 'E_TIME_ORDER'
  | 'E_UNKNOWN_REFERENCE'
  | 'E_PATH_NOT_ABSOLUTE'
  | 'E_EMPTY_SCOPE'
  | 'E_EVENT';

export interface ValidationIssue {
  readonly code: IssueCode;
  /** JSON pointer into the document, e.g. /rules/3/match/program. */
  readonly path: string;
  readonly message: string;
  readonly file?: string;
  readonly line?: number;
  readonly column?: number;
}

export function formatIssue(issue: ValidationIssue): string {
  const where = issue.file ? `${issue.file}${issue.line ? `:${issue.line}${issue.column ? `:${issue.column}` : ''}` : ''}` : '';
  return `${where ? `${where}: ` : ''}${issue.path || '/'}: ${issue.message} [${issue.code}]`;
}

export class ValidationError extends Error {
  constructor(
    readonly issues: readonly ValidationIssue[],
    what = 'document',
  ) {
    super(`invalid ${what}:\n${issues.map((i) => `  ${formatIssue(i)}`).join('\n')}`);
    this.name = 'ValidationError';
  }
}
