/**
 * Interpreters: programs that run code given to them as a file, on the command line or on stdin.
 * The engine (spec/semantics.md §3) walks the arguments left to right with these flag lists to find
 * *what* the interpreter will run, so script blocking can approve script files by identity and deny
 * inline or stdin code that has none.
 *
 * Rule of thumb used throughout: an option that makes the interpreter run code which is not the
 * script file named on the command line (code in the argument, a module looked up on a search
 * path, a preloaded library) is listed as an inline flag. Such code has no file identity the engine
 * can check, so it needs an explicit `inlineCode: true` approval, which can be narrowed with `args`.
 */
import type { InterpreterSpec } from '@execguard/schema';

const SHELL = ['T0807', 'T0853'] as const;
const SCRIPT = ['T0853'] as const;

/** POSIX-style shells: `-c` takes code, `-s`/`-` read stdin, options cluster (`bash -xc`). */
const posixShells: InterpreterSpec[] = [
  {
    id: 'bash',
    platform: 'linux',
    names: ['bash', 'rbash'],
    inlineFlags: ['-c'],
    stdinFlags: ['-s', '-'],
    // -o/-O take an option name; --rcfile/--init-file take a file that is sourced before anything else.
    valueFlags: ['-o', '+o', '-O', '+O', '--rcfile', '--init-file'],
    scriptOperand: 'first-operand',
    clusteredShortFlags: true,
    scriptExtensions: ['.sh', '.bash'],
    techniques: SHELL,
    description: 'GNU Bourne-Again shell. `-c` runs the next argument as commands; otherwise the first operand is a script.',
  },
  {
    id: 'sh',
    platform: 'linux',
    // dash is /bin/sh on Debian; ash and hush are the BusyBox shells when installed as links.
    names: ['sh', 'dash', 'ash', 'hush', 'posh', 'yash'],
    inlineFlags: ['-c'],
    stdinFlags: ['-s', '-'],
    valueFlags: ['-o', '+o'],
    scriptOperand: 'first-operand',
    clusteredShortFlags: true,
    scriptExtensions: ['.sh'],
    techniques: SHELL,
    description: 'POSIX shells (Debian dash and small shells). Same calling convention as bash for code and scripts.',
  },
  {
    id: 'zsh',
    platform: 'linux',
    names: ['zsh'],
    inlineFlags: ['-c'],
    stdinFlags: ['-s', '-'],
    valueFlags: ['-o', '+o'],
    scriptOperand: 'first-operand',
    clusteredShortFlags: true,
    scriptExtensions: ['.zsh'],
    techniques: SHELL,
    description: 'Z shell. `-c` is inline code, the first operand a script.',
  },
  {
    id: 'ksh',
    platform: 'linux',
    names: ['ksh', 'ksh93', 'mksh', 'pdksh', 'lksh'],
    inlineFlags: ['-c'],
    stdinFlags: ['-s', '-'],
    valueFlags: ['-o', '+o', '-T'],
    scriptOperand: 'first-operand',
    clusteredShortFlags: true,
    scriptExtensions: ['.ksh'],
    techniques: SHELL,
    description: 'Korn shells. `-c` is inline code, the first operand a script.',
  },
  {
    id: 'csh',
    platform: 'linux',
    names: ['csh', 'tcsh', 'bsd-csh'],
    inlineFlags: ['-c'],
    stdinFlags: ['-s', '-'],
    scriptOperand: 'first-operand',
    clusteredShortFlags: true,
    scriptExtensions: ['.csh'],
    techniques: SHELL,
    description: 'C shells. `-c` is inline code, the first operand a script.',
  },
  {
    id: 'fish',
    platform: 'linux',
    names: ['fish'],
    // --init-command runs code before the script or session: inline as much as --command is.
    inlineFlags: ['-c', '--command', '-C', '--init-command'],
    valueFlags: ['-d', '--debug', '-o', '--debug-output', '--features', '--profile', '--profile-startup'],
    scriptOperand: 'first-operand',
    clusteredShortFlags: true,
    scriptExtensions: ['.fish'],
    techniques: SHELL,
    description: 'Friendly interactive shell. `-c`/`-C` take code; the first operand is a script.',
  },
];

/** Windows command interpreters. */
const windowsShells: InterpreterSpec[] = [
  {
    id: 'cmd',
    platform: 'windows',
    names: ['cmd.exe', 'cmd'],
    // /c runs and exits, /k runs and stays, /r is the old synonym of /c. The rest of the line is the command.
    inlineFlags: ['/c', '/k', '/r'],
    scriptOperand: 'none',
    caseInsensitiveFlags: true,
    scriptExtensions: ['.bat', '.cmd'],
    techniques: SHELL,
    description:
      'Windows command processor. It never takes a script operand: batch files run through /c or file association, so they appear as inline code naming the .bat/.cmd.',
  },
  {
    id: 'powershell',
    platform: 'windows',
    // sqlps/sqltoolsps are SQL Server shells that accept the same command line as powershell.exe.
    names: ['powershell.exe', 'powershell', 'pwsh.exe', 'pwsh', 'powershell_ise.exe', 'sqlps.exe', 'sqltoolsps.exe'],
    // Explicit aliases are listed because some are not prefixes: -ec and -e for -EncodedCommand,
    // -cwa for -CommandWithArgs (PowerShell 7.4).
    inlineFlags: ['-Command', '-c', '-EncodedCommand', '-e', '-ec', '-enc', '-CommandWithArgs', '-cwa'],
    scriptFlags: ['-File', '-f'],
    valueFlags: [
      '-ExecutionPolicy',
      '-ep',
      '-ex',
      '-exec',
      '-WindowStyle',
      '-w',
      '-win',
      '-window',
      '-Version',
      '-v',
      '-ConfigurationName',
      '-config',
      '-ConfigurationFile',
      '-PSConsoleFile',
      '-InputFormat',
      '-inp',
      '-if',
      '-OutputFormat',
      '-o',
      '-of',
      '-WorkingDirectory',
      '-wd',
      '-SettingsFile',
      '-settings',
      '-CustomPipeName',
    ],
    // Windows PowerShell 5.1 treats a bare first operand as -Command, PowerShell 7 as -File. The
    // shape cannot say "first operand is code", so both are read as a script operand: an unhashed,
    // unresolvable "script" is never approved, which keeps the default safe (see README).
    scriptOperand: 'first-operand',
    caseInsensitiveFlags: true,
    flagPrefixes: true,
    scriptExtensions: ['.ps1', '.psm1', '.psd1'],
    techniques: SHELL,
    description:
      'Windows PowerShell and PowerShell 7. -Command/-EncodedCommand (and any unambiguous abbreviation) carry code on the command line; -File names a script.',
  },
];

/** Windows Script Host: runs VBScript/JScript files. */
const scriptHosts: InterpreterSpec[] = [
  {
    id: 'wsh',
    platform: 'windows',
    names: ['wscript.exe', 'cscript.exe', 'wscript', 'cscript'],
    // Host options are written //name or //name:value (//B, //E:jscript, //nologo, //T:30, //job:x);
    // they start with "/" and are skipped as options, so no value flags are needed.
    inlineFlags: [],
    scriptOperand: 'first-operand',
    caseInsensitiveFlags: true,
    scriptExtensions: ['.vbs', '.vbe', '.js', '.jse', '.wsf', '.wsh'],
    techniques: SCRIPT,
    description:
      'Windows Script Host. The first operand is the script; //E: can force an engine onto a file with any extension, which is why the script itself must be identified by hash.',
  },
];

/** General-purpose language runtimes, the same on Linux and Windows. */
const runtimes: InterpreterSpec[] = [
  {
    id: 'python',
    platform: 'any',
    names: [
      'python',
      'python2',
      'python3',
      'pythonw',
      'python.exe',
      'python3.exe',
      'pythonw.exe',
      'py.exe',
      'pyw.exe',
      'pypy',
      'pypy3',
    ],
    namePatterns: ['^python[0-9.]*w?(?:\\.exe)?$', '^pypy[0-9.]*$'],
    // -m runs a module found on sys.path, which includes the working directory: there is no
    // script path to check, so it counts as inline code (approve e.g. `-m venv` with an args rule).
    inlineFlags: ['-c', '-m'],
    stdinFlags: ['-'],
    valueFlags: ['-W', '-X', '--check-hash-based-pycs'],
    scriptOperand: 'first-operand',
    clusteredShortFlags: true,
    scriptExtensions: ['.py', '.pyw', '.pyz'],
    techniques: SCRIPT,
    description: 'Python. -c code and -m module are inline; otherwise the first operand is the script; - reads stdin.',
  },
  {
    id: 'perl',
    platform: 'any',
    names: ['perl', 'perl.exe'],
    namePatterns: ['^perl[0-9.]+$'],
    inlineFlags: ['-e', '-E'],
    stdinFlags: ['-'],
    // -I may take its directory as the next argument; -M/-m/-x need theirs attached.
    valueFlags: ['-I'],
    scriptOperand: 'first-operand',
    // One-liners are written -ne/-pe/-lne, so -e must be found inside clusters. An attached value
    // containing "e" (-Mfeature) is then read as inline too: a safe-side error.
    clusteredShortFlags: true,
    scriptExtensions: ['.pl', '.pm'],
    techniques: SCRIPT,
    description: 'Perl. -e/-E are inline code; otherwise the first operand is the script.',
  },
  {
    id: 'ruby',
    platform: 'any',
    names: ['ruby', 'ruby.exe', 'rubyw.exe'],
    namePatterns: ['^ruby[0-9.]+$'],
    inlineFlags: ['-e'],
    stdinFlags: ['-'],
    valueFlags: ['-I', '-r', '-C', '-E', '--encoding'],
    scriptOperand: 'first-operand',
    clusteredShortFlags: true,
    scriptExtensions: ['.rb'],
    techniques: SCRIPT,
    description: 'Ruby. -e is inline code; otherwise the first operand is the script.',
  },
  {
    id: 'node',
    platform: 'any',
    names: ['node', 'nodejs', 'node.exe'],
    // --require/--import/--loader preload a module before the script: code that is not the named
    // script, so inline. -p/--print evaluate like -e.
    inlineFlags: ['-e', '--eval', '-p', '--print', '-r', '--require', '--import', '--loader', '--experimental-loader'],
    stdinFlags: ['-'],
    valueFlags: ['--input-type', '--title', '--inspect-port', '--env-file', '--conditions', '-C', '--stack-size'],
    scriptOperand: 'first-operand',
    // `node -pe "..."` is a common idiom.
    clusteredShortFlags: true,
    scriptExtensions: ['.js', '.mjs', '.cjs'],
    techniques: SCRIPT,
    description: 'Node.js. -e/-p code and preloaded modules are inline; otherwise the first operand is the script.',
  },
  {
    id: 'php',
    platform: 'any',
    names: ['php', 'php-cli', 'php-cgi', 'php.exe', 'php-cgi.exe'],
    namePatterns: ['^php[0-9.]+$'],
    // -r runs code; -B/-R/-E run code before/per line/after input. -S starts the built-in web
    // server, which runs any .php under its document root: no single script to check.
    inlineFlags: ['-r', '-B', '-R', '-E', '-S'],
    scriptFlags: ['-f', '-F'],
    valueFlags: ['-c', '-d', '-z', '-t'],
    scriptOperand: 'first-operand',
    scriptExtensions: ['.php', '.phar'],
    techniques: SCRIPT,
    description: 'PHP command line. -r and the per-line code options are inline; -f or the first operand is the script.',
  },
  {
    id: 'lua',
    platform: 'any',
    names: ['lua', 'luajit', 'lua.exe'],
    namePatterns: ['^lua[0-9.]+$', '^luajit[0-9.-]*$'],
    // -l loads a library by name from the search path: inline by the same rule as python -m.
    inlineFlags: ['-e', '-l'],
    stdinFlags: ['-'],
    scriptOperand: 'first-operand',
    scriptExtensions: ['.lua'],
    techniques: SCRIPT,
    description: 'Lua. -e is inline code, -l loads a library; otherwise the first operand is the script.',
  },
  {
    id: 'tcl',
    platform: 'any',
    names: ['tclsh', 'wish', 'tclsh.exe', 'wish.exe'],
    namePatterns: ['^tclsh[0-9.]+$', '^wish[0-9.]+$'],
    // Tcl shells have no inline option; without a script they read commands from stdin.
    inlineFlags: [],
    valueFlags: ['-encoding'],
    scriptOperand: 'first-operand',
    scriptExtensions: ['.tcl', '.tk'],
    techniques: SCRIPT,
    description: 'Tcl shells. The first operand is the script; with none, commands come from stdin.',
  },
  {
    id: 'expect',
    platform: 'linux',
    names: ['expect'],
    inlineFlags: ['-c'],
    scriptFlags: ['-f'],
    stdinFlags: ['-'],
    scriptOperand: 'first-operand',
    scriptExtensions: ['.exp'],
    techniques: SCRIPT,
    description: 'Expect (Tcl based). -c is inline code, -f or the first operand the script.',
  },
  {
    id: 'java',
    platform: 'any',
    names: ['java', 'javaw', 'java.exe', 'javaw.exe'],
    // A jar is the Java analogue of a script file: it can be hashed and approved, so -jar is a
    // script flag. --module (-m) names a module on the module path: no file, so inline. A bare
    // first operand is a class name or (JDK 11+) a .java source file; either way it is read as the
    // script, which is never approved unless a rule names it.
    inlineFlags: ['-m', '--module'],
    scriptFlags: ['-jar'],
    valueFlags: [
      '-cp',
      '-classpath',
      '--class-path',
      '-p',
      '--module-path',
      '--add-modules',
      '--upgrade-module-path',
      '--source',
    ],
    scriptOperand: 'first-operand',
    scriptExtensions: ['.jar', '.java'],
    techniques: SCRIPT,
    description:
      'Java launcher. -jar names the application archive, treated like a script; a module run with -m has no file and is inline. -javaagent: libraries are not seen by this model.',
  },
];

/**
 * Deliberately absent: awk/sed (their first operand *is* the program text, which this shape
 * cannot say; they are proxy binaries instead, see proxies/linux.ts), mshta (runs HTA files and
 * `javascript:`/`vbscript:` URLs; handled as a proxy that Microsoft recommends blocking outright),
 * busybox (the applet name comes first: `busybox sh -c`; a proxy pattern).
 */
export const interpreters: readonly InterpreterSpec[] = [...posixShells, ...windowsShells, ...scriptHosts, ...runtimes];
