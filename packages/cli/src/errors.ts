/** Exit codes, documented in the README and in `execguard --help`. */
export const EXIT = {
  OK: 0,
  /** A finding, failed test or deny verdict, where the command says so. */
  FINDING: 1,
  /** Invalid usage or invalid input. */
  USAGE: 2,
} as const;

/** An error the user caused: printed as one clear message, never as a stack trace. */
export class UserError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT.USAGE,
  ) {
    super(message);
    this.name = 'UserError';
  }
}
