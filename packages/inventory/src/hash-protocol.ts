import type { Classification } from './classify.js';

/** Messages between the scanner and its hashing workers. */
export interface HashRequest {
  readonly id: number;
  readonly path: string;
  /** Also compute MD5 (to compare with dpkg's md5sums). */
  readonly md5: boolean;
  /**
   * The digests of another hard link to this inode, hashed in this scan: the file is only classified
   * (its name may matter), unless its size or times differ from these (then it is hashed after all).
   */
  readonly known?: {
    readonly sha256: string;
    readonly md5?: string;
    readonly size: number;
    readonly mtimeMs: number;
    readonly ctimeMs: number;
  };
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
      /** The digests came from another hard link (nothing was hashed here). */
      readonly shared?: true;
    };
