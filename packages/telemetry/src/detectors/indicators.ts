/**
 * Content indicators: regular expressions over code (a command line or a script block) that say
 * what the code does. Each names a behaviour, not a sample. Shared by the script-content,
 * native-api and api-execution detectors.
 */

export interface Indicator {
  readonly id: string;
  readonly re: RegExp;
  readonly what: string;
}

const ind = (id: string, re: RegExp, what: string): Indicator => ({ id, re, what });

/** Code that fetches, decodes, hides or evaluates other code (T0853, strong). */
export const scriptIndicators: readonly Indicator[] = [
  ind(
    'download-cradle',
    /\bdownload(?:string|file|data)(?:async)?\b|net\.webclient|\b(?:invoke-webrequest|iwr|invoke-restmethod|irm|start-bitstransfer)\b[^|;\n]*https?:|\bxmlhttp\b|winhttprequest|\b(?:curl|wget)\b[^|;\n]*\|\s*(?:ba|z|k|da)?sh\b|urllib\.request|\bnet\.http\b|msxml2\.serverxmlhttp/i,
    'downloads content from the network',
  ),
  ind(
    'eval',
    /\biex\b|invoke-expression|\.invoke\(\)|scriptblock\]::create|\bInvoke-Command\s+-ScriptBlock\s*\(\s*\[scriptblock\]|\bexec\s*\(\s*(?:base64|zlib|__import__|compile|urllib|requests)|\beval\s*\(\s*(?:base64|atob|unescape|gzinflate|str_rot13)|\|\s*(?:ba|z|k|da)?sh\b\s*$/i,
    'evaluates code built at run time',
  ),
  ind(
    'base64-decode',
    /frombase64string|\[convert\]::from|\bbase64\s+(?:-d|--decode)\b|b64decode|atob\s*\(|certutil(?:\.exe)?\s+-decode/i,
    'decodes base64 content',
  ),
  ind(
    'compressed-payload',
    /io\.compression|gzipstream|deflatestream|zlib\.decompress|gzinflate/i,
    'unpacks a compressed payload',
  ),
  ind(
    'obfuscation',
    /(?:\w`\w.*){2,}|-join\s*\(|\[char\]\s*\d+\s*\+|\(\s*'\{\d\}[^']*'\s*-f|\^[a-z]\^[a-z]|%[a-z_]+:~\d+,\d+%|\$env:[a-z0-9_]+\s*\|\s*\.\s*\(/i,
    'is obfuscated (escape characters, format strings, character joins)',
  ),
  ind(
    'amsi-or-logging-bypass',
    /amsiutils|amsiinitfailed|amsiscanbuffer|scriptblocklogging|etweventprovider|set-mppreference\b.*-disable/i,
    'tampers with script scanning or logging',
  ),
  ind(
    'reverse-shell',
    /\/dev\/(?:tcp|udp)\/|\bnc(?:at)?\b[^|;\n]*\s-[a-z]*e\s|socket\.socket\(|pty\.spawn|net\.sockets\.tcpclient|mkfifo\b/i,
    'connects a shell to the network',
  ),
  ind('long-base64', /(?:^|[\s'"=(>])[A-Za-z0-9+/]{200,}={0,2}(?:$|[\s'")<])/, 'carries a long base64 blob'),
  ind('admin-share-output', /\\\\(?:127\.0\.0\.1|localhost)\\(?:admin|c)\$\\/i, 'writes output to an administrative share'),
];

/** Hidden, non-interactive, policy-bypassing PowerShell options: weak on their own. */
export const stealthOptions =
  /(?:^|\s)[-/](?:w(?:i(?:n(?:d(?:o(?:w(?:s(?:t(?:y(?:l(?:e)?)?)?)?)?)?)?)?)?)?)\s+(?:hidden|1)\b|(?:^|\s)[-/]exec?(?:utionpolicy)?\s+bypass\b|(?:^|\s)[-/]ep\s+bypass\b/i;

/** Encoded-command flags of PowerShell (any abbreviation of -EncodedCommand). */
export const encodedFlag =
  /^[-/](?:e|ec|en|enc|enco|encod|encode|encoded|encodedc|encodedco|encodedcom|encodedcomm|encodedcomma|encodedcomman|encodedcommand)$/i;

/** Direct operating-system API use from script code (T0834). */
export const nativeApiIndicators: readonly Indicator[] = [
  ind(
    'add-type-native',
    /add-type\b[^|;\n]*-(?:memberdefinition|typedefinition)\b|add-type\b[\s\S]{0,400}dllimport/i,
    'compiles a type that declares native functions (Add-Type)',
  ),
  ind('dllimport', /dllimport\s*\(|\bextern\s+(?:static\s+)?\w+\s+\w+\s*\(/i, 'declares native functions (DllImport / extern)'),
  ind(
    'reflective-load',
    /\[(?:system\.)?reflection\.assembly\]\s*::\s*load(?:file|from)?\s*\(|assembly\]::load\(|\.load\(\s*\[convert\]::frombase64string/i,
    'loads a .NET assembly by reflection',
  ),
  ind(
    'memory-api',
    /\b(?:virtualalloc(?:ex)?|virtualprotect(?:ex)?|createthread|createremotethread|writeprocessmemory|rtlmovememory|ntallocatevirtualmemory|queueuserapc|getprocaddress|getdelegateforfunctionpointer|definedynamicassembly|definepinvokemethod)\b/i,
    'calls memory or thread APIs directly',
  ),
  ind(
    'ctypes',
    /\bimport\s+ctypes\b|\bctypes\.(?:cdll|windll|cdll|CDLL|WinDLL|memmove|cast|CFUNCTYPE)|\bfrom\s+ctypes\s+import\b|\bcffi\b|\bwin32api\b/i,
    'calls native libraries from Python (ctypes/cffi)',
  ),
  ind('memfd-create', /memfd_create|\bfexecve\b/i, 'creates an anonymous in-memory file to execute'),
  ind('perl-syscall', /\bsyscall\s*\(\s*\d+/i, 'makes raw system calls'),
];

/** Management-interface execution named in code (T0871). */
export const apiExecIndicators: readonly Indicator[] = [
  ind(
    'wmi-process-create',
    /win32_process[^|;\n]*\bcreate\b|invoke-(?:wmi|cim)method\b[^|;\n]*(?:win32_process|-name\s+create)|\[wmiclass\][^|;\n]*win32_process|process\s+call\s+create/i,
    'creates a process through WMI',
  ),
  ind(
    'dcom-object',
    /mmc20\.application|shellwindows|shellbrowserwindow|9ba05972-f6a8-11cf-a442-00a0c90a8f39|c08afd90-f2a1-11d1-8455-00a0c91f3880|gettypefromprogid\s*\([^)]*,|gettypefromclsid\s*\([^)]*,|\.executeshellcommand\b|\.shellexecute\b/i,
    'drives a COM/DCOM object that starts programs',
  ),
  ind(
    'scheduler-api',
    /register-scheduledtask|new-scheduledtaskaction|schedule\.service|\bitaskservice\b/i,
    'registers a task through the Task Scheduler API',
  ),
  ind(
    'winrm-remote',
    /invoke-command\b[^|;\n]*-(?:computername|session|cn)\b|enter-pssession|new-pssession/i,
    'runs code on a host through WinRM',
  ),
];

export function matching(list: readonly Indicator[], text: string): Indicator[] {
  const out: Indicator[] = [];
  for (const i of list) if (i.re.test(text)) out.push(i);
  return out;
}

/** Shortens evidence for a reason string. */
export function clip(s: string, n = 120): string {
  const one = s.replace(/\s+/g, ' ').trim();
  return one.length <= n ? one : `${one.slice(0, n - 1)}…`;
}
