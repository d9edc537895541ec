import { lstatSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Accounts } from './accounts.js';
import type { Principal, Writability, WritabilityEvidence } from './types.js';

interface Owner {
  readonly uid: number;
  readonly gid: number;
  readonly mode: number;
}

const S_ISVTX = 0o1000;
type Found = Map<Principal, WritabilityEvidence>;

/**
 * Who, other than root, can change what runs at a path: modify the file, or replace it or any
 * directory above it (rename/unlink needs write+search on the parent; in a sticky directory only
 * the entry's owner and the directory's owner can). Owners always count: they can chmod.
 * POSIX ACLs and capabilities are not evaluated.
 */
export class WritabilityAnalyzer {
  private readonly dirStats = new Map<string, Owner | null>();
  private readonly chains = new Map<string, Found>();

  constructor(private readonly accounts: Accounts) {}

  private user(uid: number): Principal {
    return `user:${this.accounts.userName(uid) ?? uid}`;
  }
  /** Group principals met so far, with their gid, so members can be listed. */
  private readonly groupIds = new Map<Principal, number>();
  private group(gid: number): Principal {
    const p: Principal = `group:${this.accounts.groupName(gid) ?? gid}`;
    this.groupIds.set(p, gid);
    return p;
  }

  private stat(dir: string): Owner | null {
    let s = this.dirStats.get(dir);
    if (s === undefined) {
      try {
        const st = lstatSync(dir);
        s = { uid: st.uid, gid: st.gid, mode: st.mode };
      } catch {
        s = null;
      }
      this.dirStats.set(dir, s);
    }
    return s;
  }

  /** Can this uid write and search in a directory with these owners/mode (ignoring root)? */
  private canWriteIn(uid: number, d: Owner): boolean {
    if (uid === d.uid) return true; // owner can chmod
    if (this.accounts.inGroup(uid, d.gid) && (d.mode & 0o030) === 0o030) return true;
    return (d.mode & 0o003) === 0o003;
  }

  /** Principals that can rename or unlink an entry owned by `entryUid` inside directory `dir`. */
  private replacers(dir: string, entryUid: number, entryPath: string, into: Found): void {
    const d = this.stat(dir);
    if (!d) return;
    const add = (p: Principal, how: string) => {
      if (!into.has(p)) into.set(p, { path: dir, principal: p, how: `${how} (can replace ${entryPath})` });
    };
    if (d.uid !== 0) add(this.user(d.uid), 'owns the directory');
    if (d.mode & S_ISVTX) {
      if (entryUid !== 0 && this.canWriteIn(entryUid, d)) add(this.user(entryUid), 'owns the entry in a sticky directory');
      return;
    }
    if ((d.mode & 0o030) === 0o030) add(this.group(d.gid), 'directory is group-writable');
    if ((d.mode & 0o003) === 0o003) add('other', 'directory is world-writable');
  }

  /** Principals that can replace `dir` itself or any directory above it. */
  private chain(dir: string): Found {
    const cached = this.chains.get(dir);
    if (cached) return cached;
    const parent = dirname(dir);
    const found: Found = parent === dir ? new Map() : new Map(this.chain(parent));
    const own = this.stat(dir);
    if (parent !== dir && own) this.replacers(parent, own.uid, dir, found);
    this.chains.set(dir, found);
    return found;
  }

  /** `realPath` must have no symlinks in its directories (the walker works on resolved roots). */
  analyze(realPath: string, file: Owner): Writability {
    const dir = dirname(realPath);
    const found: Found = new Map(this.chain(dir));
    this.replacers(dir, file.uid, realPath, found);
    const add = (p: Principal, how: string) => {
      if (!found.has(p)) found.set(p, { path: realPath, principal: p, how });
    };
    if (file.uid !== 0) add(this.user(file.uid), 'owns the file');
    if (file.mode & 0o020) add(this.group(file.gid), 'file is group-writable');
    if (file.mode & 0o002) add('other', 'file is world-writable');
    return this.summarize(found);
  }

  private summarize(found: Found): Writability {
    const users = new Set<string>();
    const groups = new Set<string>();
    let other = false;
    for (const p of found.keys()) {
      if (p === 'other') other = true;
      else if (p.startsWith('user:')) users.add(p.slice(5));
      else if (p.startsWith('group:')) {
        const gid = this.groupIds.get(p);
        if (gid !== 0) groups.add(p.slice(6));
        for (const m of gid === undefined ? [] : this.accounts.groupMembers(gid)) users.add(m);
      }
    }
    return { users: [...users].sort(), groups: [...groups].sort(), other, evidence: [...found.values()] };
  }
}
