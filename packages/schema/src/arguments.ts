/**
 * The argument string of spec §3: the arguments after argv[0] joined by one space, or, when a source
 * gave no argv, the command line without its first token. Proxy patterns and `args` rules are written
 * against this string, so the engine and the detectors must build it the same way.
 */
export function argumentString(args: readonly string[] | undefined, commandLine: string | undefined): string {
  if (args !== undefined) return args.length <= 1 ? '' : args.slice(1).join(' ');
  if (!commandLine) return '';
  const s = commandLine.trimStart();
  if (s.startsWith('"')) {
    const end = s.indexOf('"', 1);
    return end < 0 ? '' : s.slice(end + 1).trimStart();
  }
  const sp = s.search(/\s/);
  return sp < 0 ? '' : s.slice(sp + 1).trimStart();
}
