/**
 * Splits a Windows command line into argv the way CommandLineToArgvW (and the MSVC runtime) does,
 * so that argument-aware rules see what the program saw: quotes group, 2n backslashes + quote → n
 * backslashes and a quote toggle, 2n+1 backslashes + quote → n backslashes and a literal quote.
 * The first argument (program name) follows the simpler rule: up to the closing quote or first space.
 */
export function splitWindowsCommandLine(line: string): string[] {
  const args: string[] = [];
  let i = 0;
  const n = line.length;
  while (i < n && (line[i] === ' ' || line[i] === '\t')) i++;
  if (i >= n) return args;
  // Program name: no escape processing.
  let prog = '';
  if (line[i] === '"') {
    i++;
    while (i < n && line[i] !== '"') prog += line[i++];
    i++;
  } else {
    while (i < n && line[i] !== ' ' && line[i] !== '\t') prog += line[i++];
  }
  args.push(prog);
  for (;;) {
    while (i < n && (line[i] === ' ' || line[i] === '\t')) i++;
    if (i >= n) break;
    let arg = '';
    let quoted = false;
    while (i < n) {
      const c = line[i];
      if (c === '\\') {
        let slashes = 0;
        while (i < n && line[i] === '\\') {
          slashes++;
          i++;
        }
        if (line[i] === '"') {
          arg += '\\'.repeat(slashes >> 1);
          if (slashes % 2 === 1) {
            arg += '"';
            i++;
          }
        } else {
          arg += '\\'.repeat(slashes);
        }
        continue;
      }
      if (c === '"') {
        // "" inside a quoted argument is a literal quote (MSVC 2008+ behaviour).
        if (quoted && line[i + 1] === '"') {
          arg += '"';
          i += 2;
          continue;
        }
        quoted = !quoted;
        i++;
        continue;
      }
      if (!quoted && (c === ' ' || c === '\t')) break;
      arg += c;
      i++;
    }
    args.push(arg);
  }
  return args;
}
