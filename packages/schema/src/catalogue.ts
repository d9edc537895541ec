/**
 * Shapes of the knowledge the engine needs about programs: which are interpreters (and how they take
 * code), which are proxy binaries (and which arguments make them proxies), where system binaries live.
 * The data itself lives in @execguard/knowledge; the engine receives it as an input to compile(), so
 * the engine stays pure and testable with small catalogues.
 */
export type Platform = 'windows' | 'linux';

export interface InterpreterSpec {
  /** Stable id, e.g. "python", "bash", "powershell", "cmd", "wscript". */
  readonly id: string;
  readonly platform: Platform | 'any';
  /** Lower-case basenames, with and without .exe where relevant: "python3", "python3.11", "powershell.exe". */
  readonly names: readonly string[];
  /** Regular expressions (whole lower-case basename) for versioned names, e.g. "^python[0-9.]*$". */
  readonly namePatterns?: readonly string[];
  /** Options whose value (next argument, or the rest of the same argument) is code: "-c", "-e", "-Command", "/c". */
  readonly inlineFlags: readonly string[];
  /** Options that name the script file in the next argument, e.g. PowerShell "-File". */
  readonly scriptFlags?: readonly string[];
  /** Arguments that make the interpreter read its program from stdin, e.g. "-", "-s". */
  readonly stdinFlags?: readonly string[];
  /** Options that consume the following argument (so it is not mistaken for the script). */
  readonly valueFlags?: readonly string[];
  /** Where the script is when no flag names it: the first non-option argument, or nowhere (cmd.exe). */
  readonly scriptOperand: 'first-operand' | 'none';
  /** Windows-style: flags compare case-insensitively. */
  readonly caseInsensitiveFlags?: boolean;
  /** PowerShell-style: any unambiguous prefix of a flag counts ("-enc" for "-EncodedCommand"). */
  readonly flagPrefixes?: boolean;
  /** Short options may be clustered, so "-xc" contains "-c" (POSIX shells). */
  readonly clusteredShortFlags?: boolean;
  /** File extensions run by this interpreter through file association, lower-case with dot. */
  readonly scriptExtensions?: readonly string[];
  /** Techniques an execution of this interpreter involves, e.g. ["T0853"] or ["T0807", "T0853"]. */
  readonly techniques: readonly string[];
  readonly description: string;
}

export interface ProxyPattern {
  readonly id: string;
  /** Regular expression (JavaScript, case-insensitive) over the arguments joined by single spaces. */
  readonly args: string;
  readonly technique: string;
  readonly category: 'execute' | 'script' | 'library-load' | 'download' | 'shell' | 'compile' | 'awl-bypass';
  readonly description: string;
}

export interface ProxyBinarySpec {
  /** Lower-case basename, e.g. "rundll32.exe", "find". */
  readonly name: string;
  readonly platform: Platform;
  /** Where the genuine binary lives (lower-case, forward slashes), e.g. "c:/windows/system32". */
  readonly directories?: readonly string[];
  readonly patterns: readonly ProxyPattern[];
  /** Microsoft recommends blocking it outright (recommended user-mode block rules). */
  readonly blockRecommended?: boolean;
  /** Where the fact comes from: "lolbas", "gtfobins", "wdac-block-rules". */
  readonly sources: readonly string[];
}

export interface SystemBinarySpec {
  /** Lower-case basename, e.g. "svchost.exe", "sshd". */
  readonly name: string;
  readonly platform: Platform;
  /** Directories (lower-case, forward slashes) where the genuine binary lives. */
  readonly directories: readonly string[];
}

export interface LocationSpec {
  readonly platform: Platform;
  /** Regular expression over the lower-case, forward-slash path. */
  readonly pattern: string;
  readonly kind: 'temp' | 'download' | 'user-profile' | 'removable' | 'shared-memory';
}

export interface Catalogue {
  readonly version: string;
  readonly interpreters: readonly InterpreterSpec[];
  readonly proxies: readonly ProxyBinarySpec[];
  readonly systemBinaries: readonly SystemBinarySpec[];
  /** Regular expressions over lower-case basenames of dynamic loaders, e.g. "^ld-linux.*\\.so(\\.[0-9]+)*$". */
  readonly loaders: readonly string[];
  readonly userWritableLocations: readonly LocationSpec[];
}
