import type { Classification } from './classify.js';

/** Messages between the scanner and its hashing workers. */
export interface HashRequest {
  readonly id: number;
  readonly path: string;
  /** Also compute MD5 (to compare with dpkg's md5sums). */
  readonly md5: boolean;
}

export type HashResult =
  | { readonly id: number; readonly error: string }
  | { readonly id: number; readonly recorded: false }
  | {
      readonly id: number;
      readonly recorded: true;
      readonly bytes: number;
      readonly sha256: string;
      readonly md5?: string;
      readonly classification: Classification;
    };
