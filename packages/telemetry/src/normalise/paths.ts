/** Last path component for Windows (\) and POSIX (/) paths alike. */
export function baseName(path: string | undefined): string | undefined {
  if (path === undefined) return undefined;
  const i = Math.max(path.lastIndexOf('\\'), path.lastIndexOf('/'));
  const name = i >= 0 ? path.slice(i + 1) : path;
  return name === '' ? undefined : name;
}

/** "DOMAIN\\user" → { domain, name }; a bare name has no domain. */
export function splitAccount(v: string | undefined): { name?: string; domain?: string } {
  if (v === undefined) return {};
  const i = v.indexOf('\\');
  return i > 0 ? { domain: v.slice(0, i), name: v.slice(i + 1) } : { name: v };
}
