/**
 * Splits a Windows command line into argv the way CommandLineToArgvW (and the MSVC runtime) does,
 * so that argument-aware rules see what the program saw: quotes group, 2n backslashes + quote → n
 * backslashes and a quote toggle, 2n+1 backslashes + quote → n backslashes and a literal quote.
 * The first argument (program name) follows the simpler rule: up to the closing quote or first space.
 *
 * Runs of ordinary characters are copied with slice() rather than one character at a time: command lines
 * of several kilobytes (encoded PowerShell) are common and this is on the ingest hot path.
 */
export function splitWindowsCommandLine(line: string): string[] {
  const args: string[] = [];
  let i = 0;
  const n = line.length;
  while (i < n && isBlank(line.charCodeAt(i))) i++;
  if (i >= n) return args;
  // Program name: no escape processing.
  if (line.charCodeAt(i) === QUOTE) {
    const end = line.indexOf('"', i + 1);
    const stop = end < 0 ? n : end;
    args.push(line.slice(i + 1, stop));
    i = stop + 1;
  } else {
    const start = i;
    while (i < n && !isBlank(line.charCodeAt(i))) i++;
    args.push(line.slice(start, i));
  }
  for (;;) {
    while (i < n && isBlank(line.charCodeAt(i))) i++;
    if (i >= n) break;
    let arg = '';
    let quoted = false;
    let run = i; // start of the pending run of ordinary characters
    while (i < n) {
      const c = line.charCodeAt(i);
      if (c === QUOTE) {
        // Backslashes count only before a quote: the ones just before it in the current run.
        let j = i;
        while (j > run && line.charCodeAt(j - 1) === BACKSLASH) j--;
        const slashes = i - j;
        arg += line.slice(run, j);
        if (slashes > 0) arg += '\\'.repeat(slashes >> 1);
        if (slashes % 2 === 1) {
          arg += '"';
          i++;
        } else if (quoted && line.charCodeAt(i + 1) === QUOTE) {
          // "" inside a quoted argument is a literal quote (MSVC 2008+ behaviour).
          arg += '"';
          i += 2;
        } else {
          quoted = !quoted;
          i++;
        }
        run = i;
        continue;
      }
      if (!quoted && isBlank(c)) break;
      // Skip to the next character that matters (a quote or a blank; backslashes elsewhere are
      // ordinary): a plain loop over the first characters (most arguments are short), then a native
      // regex scan for the rest (long base64 arguments are common).
      i++;
      const stop = Math.min(i + 32, n);
      while (i < stop && !isSpecial(line.charCodeAt(i))) i++;
      if (i === stop && stop < n) {
        SPECIAL.lastIndex = i;
        const next = SPECIAL.exec(line);
        i = next === null ? n : next.index;
      }
    }
    arg += line.slice(run, i);
    args.push(arg);
  }
  return args;
}

const QUOTE = 0x22;
const SPECIAL = /[" \t]/g;
const BACKSLASH = 0x5c;
function isSpecial(c: number): boolean {
  return c === QUOTE || c === 0x20 || c === 0x09;
}
function isBlank(c: number): boolean {
  return c === 0x20 || c === 0x09;
}
