import { readFileSync } from 'node:fs';

/** Local accounts from /etc/passwd and /etc/group, to name owners and expand groups to members. */
export interface Accounts {
  userName(uid: number): string | undefined;
  groupName(gid: number): string | undefined;
  /** Non-root user names in a group: its listed members plus users whose primary group it is. */
  groupMembers(gid: number): readonly string[];
  /** Does this user (by uid) belong to the group (primary or supplementary)? */
  inGroup(uid: number, gid: number): boolean;
}

function readLines(file: string): string[] {
  try {
    return readFileSync(file, 'utf8').split('\n');
  } catch {
    return []; // no file: numeric ids only
  }
}

export function loadAccounts(passwdFile = '/etc/passwd', groupFile = '/etc/group'): Accounts {
  const users = new Map<number, { name: string; gid: number }>();
  const uidByName = new Map<string, number>();
  for (const line of readLines(passwdFile)) {
    const [name, , uid, gid] = line.split(':');
    if (!name || uid === undefined || gid === undefined || name.startsWith('#')) continue;
    const u = Number(uid);
    if (!Number.isInteger(u) || users.has(u)) continue; // first entry wins, as getpwuid does
    users.set(u, { name, gid: Number(gid) });
    uidByName.set(name, u);
  }
  const groups = new Map<number, { name: string; members: string[] }>();
  for (const line of readLines(groupFile)) {
    const [name, , gid, members] = line.split(':');
    if (!name || gid === undefined || name.startsWith('#')) continue;
    const g = Number(gid);
    if (!Number.isInteger(g) || groups.has(g)) continue;
    groups.set(g, { name, members: (members ?? '').split(',').filter(Boolean) });
  }
  const memberCache = new Map<number, string[]>();
  const groupMembers = (gid: number): string[] => {
    let m = memberCache.get(gid);
    if (!m) {
      const set = new Set(groups.get(gid)?.members ?? []);
      for (const [uid, u] of users) if (u.gid === gid && uid !== 0) set.add(u.name);
      set.delete(users.get(0)?.name ?? 'root');
      m = [...set].sort();
      memberCache.set(gid, m);
    }
    return m;
  };
  return {
    userName: (uid) => users.get(uid)?.name,
    groupName: (gid) => groups.get(gid)?.name,
    groupMembers,
    inGroup(uid, gid) {
      const u = users.get(uid);
      if (!u) return false;
      return u.gid === gid || (groups.get(gid)?.members.includes(u.name) ?? false);
    },
  };
}
