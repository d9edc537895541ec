/**
 * Windows proxy binaries: signed Microsoft programs whose arguments can make them run other code.
 * Names, flags and install directories are facts taken from the LOLBAS project and from Microsoft's
 * recommended user-mode block rules; the patterns and descriptions are ours.
 *
 * `blockRecommended` marks every file name in Microsoft's recommended block rules. Where such a
 * program has no legitimate use on a plant host beyond running code (debuggers, C#/F# script
 * shells, WSL launchers) its pattern matches any invocation (`^`).
 */
import type { ProxyBinarySpec } from '@execguard/schema';
import { ARG, NON_SYSTEM_PATH, pattern as p, proxies, REMOTE } from './build.js';

const SYS = ['c:/windows/system32', 'c:/windows/syswow64'];
const WBEM = ['c:/windows/system32/wbem', 'c:/windows/syswow64/wbem'];
const OPENSSH = ['c:/windows/system32/openssh'];
const NET = ['v2.0.50727', 'v3.5', 'v4.0.30319'].flatMap((v) => [
  `c:/windows/microsoft.net/framework/${v}`,
  `c:/windows/microsoft.net/framework64/${v}`,
]);
const DEBUGGERS = ['x64', 'x86', 'arm', 'arm64'].flatMap((a) => [
  `c:/program files (x86)/windows kits/10/debuggers/${a}`,
  `c:/program files/windows kits/10/debuggers/${a}`,
]);
const EDGE = ['c:/program files/microsoft/edge/application', 'c:/program files (x86)/microsoft/edge/application'];
const WPT = [
  'c:/program files/windows kits/10/windows performance toolkit',
  'c:/program files (x86)/windows kits/10/windows performance toolkit',
];

const LOLBAS = ['lolbas'];
const BOTH = ['lolbas', 'wdac-block-rules'];
const WDAC = ['wdac-block-rules'];

/** Any argument at all: the program's only function is to run what it is given. */
const ANY_OPERAND = String.raw`\S`;
/** Every invocation, even without arguments (interactive code shells, blocked outright). */
const ANY = '^';

/** Chromium-based programs accept launcher prefixes that run an arbitrary command line. */
const chromiumLauncher = (who: string) =>
  p(
    `${who}-launcher-prefix`,
    String.raw`--(?:gpu-launcher|utility-cmd-prefix|renderer-cmd-prefix|plugin-launcher|ppapi-plugin-launcher|browser-subprocess-path)\b`,
    'T0894',
    'execute',
    'A Chromium launcher-prefix switch makes the browser start a command of the caller’s choosing.',
  );

const anyUse = (id: string, category: 'execute' | 'script' | 'compile' | 'library-load', what: string) =>
  p(id, ANY, category === 'script' ? 'T0853' : 'T0894', category, what);

export const windowsProxies: readonly ProxyBinarySpec[] = [
  // ---- system32 / syswow64 -------------------------------------------------------------------
  ...proxies({
    names: ['rundll32.exe'],
    platform: 'windows',
    directories: SYS,
    sources: LOLBAS,
    patterns: [
      p(
        'rundll32-script-url',
        String.raw`javascript:|vbscript:|runhtmlapplication|\bscript:`,
        'T0853',
        'script',
        'Script passed through an URL moniker and run by the HTML engine.',
      ),
      p(
        'rundll32-com-sta',
        String.raw`(?:^|\s)-sta(?:\s|$)`,
        'T0894',
        'execute',
        'Loads a COM server by CLSID or ProgID, which may point at any DLL or EXE.',
      ),
      p(
        'rundll32-proxy-export',
        String.raw`(?:^|[\s,])(?:launchinfsection(?:ex)?|registerocx|installhinfsection|setupinfobjectinstallaction|shellexec_rundll[aw]?|control_rundll[aw]?|openurl[aw]?|fileprotocolhandler|launchapplication|routethecall|printhtml|shopenverbapplication|installscreensaver)\b|shell32(?:\.dll)?["']?\s*,\s*#44\b`,
        'T0894',
        'execute',
        'A system DLL export that installs an INF, registers a control, opens a file or starts a program.',
      ),
      p(
        'rundll32-foreign-dll',
        String.raw`^["']?(?:${NON_SYSTEM_PATH}|[^\s,"']+\.(?!dll\b|cpl\b)[a-z0-9]+["']?\s*,|[^\s,"']*:[^\\/\s,"']+\.dll)`,
        'T0894',
        'library-load',
        'The DLL to call lives outside the Windows directories, has no DLL extension, or sits in an alternate data stream.',
      ),
    ],
  }),
  ...proxies({
    names: ['regsvr32.exe'],
    platform: 'windows',
    directories: SYS,
    sources: LOLBAS,
    patterns: [
      p(
        'regsvr32-scriptlet',
        String.raw`scrobj|[/-]i:["']?(?:${REMOTE}|[^\s"']+\.sct\b)`,
        'T0853',
        'script',
        'Runs a COM scriptlet (.sct), locally or from a remote URL, through scrobj.dll.',
      ),
      p(
        'regsvr32-foreign-dll',
        String.raw`(?:^|\s)["']?(?:${NON_SYSTEM_PATH}|[^\s/\\:"'-][^\s/\\:"']*\.(?:dll|ocx|ax|cpl|sct|tmp|dat|txt)\b)`,
        'T0894',
        'library-load',
        'Registers (runs DllRegisterServer of) a library outside the Windows and Program Files directories, or one found through the search path.',
      ),
    ],
  }),
  ...proxies({
    names: ['mshta.exe'],
    platform: 'windows',
    directories: SYS,
    sources: BOTH,
    blockRecommended: true,
    patterns: [
      p(
        'mshta-script-url',
        `${ARG}(?:javascript|vbscript|about):`,
        'T0853',
        'script',
        'Script code given inline as a javascript:/vbscript: URL.',
      ),
      p(
        'mshta-application',
        ANY_OPERAND,
        'T0853',
        'script',
        'Any HTML application is script code run with the user’s full rights.',
      ),
    ],
  }),
  ...proxies({
    names: ['wscript.exe', 'cscript.exe'],
    platform: 'windows',
    directories: SYS,
    sources: BOTH,
    blockRecommended: true,
    patterns: [
      p(
        'wsh-engine-override',
        String.raw`(?:^|\s)//e:`,
        'T0853',
        'script',
        'Forces a script engine onto a file, so a script can hide behind any extension.',
      ),
      p(
        'wsh-remote-or-stream',
        String.raw`${ARG}(?:${REMOTE}|[a-z]:[^\s"':]*:[^\\/\s"']+)|\bscript:`,
        'T0853',
        'script',
        'Script taken from a remote location, a script: moniker or an alternate data stream.',
      ),
      p(
        'wsh-system-script-proxy',
        String.raw`(?:^|[\s\\/"'])(?:manage-bde\.wsf|pubprn\.vbs|syncappvpublishingserver\.vbs|winrm\.vbs|slmgr\.vbs)\b`,
        'T0894',
        'execute',
        'A signed Windows script known to run a command, load a scriptlet or apply an XSL transform for its caller.',
      ),
    ],
  }),
  ...proxies({
    names: ['msiexec.exe'],
    platform: 'windows',
    directories: SYS,
    sources: LOLBAS,
    patterns: [
      p(
        'msiexec-register-dll',
        String.raw`(?:^|\s)[/-][yz](?:\s|$)`,
        'T0894',
        'library-load',
        'Calls the registration entry point of an arbitrary DLL.',
      ),
      p(
        'msiexec-install',
        String.raw`(?:^|\s)[/-](?:i|package|a|j[mu]?|update|p)(?:\s|$)|transforms=`,
        'T0894',
        'execute',
        'Installs a package (or applies a transform); installers run their own custom actions.',
      ),
      p('msiexec-remote', `${ARG}${REMOTE}`, 'T0894', 'download', 'The package or transform is fetched from a URL or share.'),
    ],
  }),
  ...proxies({
    names: ['cmstp.exe'],
    platform: 'windows',
    directories: SYS,
    sources: LOLBAS,
    patterns: [
      p(
        'cmstp-inf',
        String.raw`\.inf\b|(?:^|\s)[/-]n[if](?:\s|$)`,
        'T0894',
        'execute',
        'Installs a connection-manager profile from an INF that can run commands or scriptlets.',
      ),
    ],
  }),
  ...proxies({
    names: ['conhost.exe'],
    platform: 'windows',
    directories: ['c:/windows/system32'],
    sources: LOLBAS,
    patterns: [
      p(
        'conhost-command',
        String.raw`--headless|${ARG}(?!0x[0-9a-f]+\b|-)[^\s"']`,
        'T0894',
        'execute',
        'The console host started with a command line of its own instead of by the system.',
      ),
    ],
  }),
  ...proxies({
    names: ['control.exe'],
    platform: 'windows',
    directories: SYS,
    sources: LOLBAS,
    patterns: [
      p(
        'control-foreign-cpl',
        `${ARG}(?:${NON_SYSTEM_PATH}|${REMOTE})|:[^\\\\/\\s"']+\\.(?:dll|cpl)`,
        'T0894',
        'library-load',
        'Opens a Control Panel item (a DLL) from outside the Windows directories.',
      ),
    ],
  }),
  ...proxies({
    names: ['explorer.exe'],
    platform: 'windows',
    directories: ['c:/windows', 'c:/windows/syswow64'],
    sources: LOLBAS,
    patterns: [
      p(
        'explorer-launch',
        String.raw`\.(?:exe|com|scr|pif|bat|cmd|ps1|vbs|vbe|js|jse|wsf|hta|lnk|msi|cpl)["']?(?:\s|$)`,
        'T0894',
        'execute',
        'Explorer asked to open a program or script, which it starts as a new, unparented process.',
      ),
    ],
  }),
  ...proxies({
    names: ['hh.exe'],
    platform: 'windows',
    directories: ['c:/windows', 'c:/windows/syswow64'],
    sources: LOLBAS,
    patterns: [
      p(
        'hh-foreign-content',
        `${ARG}(?:${REMOTE}|${NON_SYSTEM_PATH}|mk:@msitstore|its:)|\\.(?:exe|hta|bat|cmd)\\b`,
        'T0853',
        'script',
        'Compiled HTML help (which can contain script) or a program, from outside the Windows help.',
      ),
    ],
  }),
  ...proxies({
    names: ['forfiles.exe'],
    platform: 'windows',
    directories: SYS,
    sources: LOLBAS,
    patterns: [
      p('forfiles-command', String.raw`(?:^|\s)[/-]c(?:\s|$)`, 'T0894', 'execute', 'Runs a command for each matching file.'),
    ],
  }),
  ...proxies({
    names: ['ftp.exe'],
    platform: 'windows',
    directories: SYS,
    sources: LOLBAS,
    patterns: [
      p(
        'ftp-script',
        String.raw`(?:^|\s)-s:`,
        'T0894',
        'execute',
        'Reads commands from a file; a `!` line in it runs a local command.',
      ),
    ],
  }),
  ...proxies({
    names: ['at.exe'],
    platform: 'windows',
    directories: SYS,
    sources: LOLBAS,
    patterns: [
      p(
        'at-schedule',
        String.raw`(?:^|\s)\d{1,2}:\d{2}\b`,
        'T0871',
        'execute',
        'Schedules a command through the task scheduler.',
      ),
    ],
  }),
  ...proxies({
    names: ['schtasks.exe'],
    platform: 'windows',
    directories: SYS,
    sources: LOLBAS,
    patterns: [
      p(
        'schtasks-create',
        String.raw`[/-]create\b.*(?:[/-]tr|[/-]xml)(?:\s|$)`,
        'T0871',
        'execute',
        'Creates a scheduled task with a command line; the scheduler then starts it.',
      ),
    ],
  }),
  ...proxies({
    names: ['atbroker.exe'],
    platform: 'windows',
    directories: SYS,
    sources: LOLBAS,
    patterns: [
      p(
        'atbroker-start',
        String.raw`(?:^|\s)[/-]start\b`,
        'T0894',
        'execute',
        'Starts a registered assistive-technology program, which can be any registered executable.',
      ),
    ],
  }),
  ...proxies({
    names: ['bitsadmin.exe'],
    platform: 'windows',
    directories: SYS,
    sources: LOLBAS,
    patterns: [
      p(
        'bitsadmin-notify-command',
        String.raw`[/-]setnotifycmdline\b`,
        'T0894',
        'execute',
        'A transfer job runs a command line when it completes.',
      ),
      p(
        'bitsadmin-transfer',
        String.raw`[/-](?:transfer|addfile)\b`,
        'T0894',
        'download',
        'Downloads a file with the background transfer service.',
      ),
    ],
  }),
  ...proxies({
    names: ['certutil.exe'],
    platform: 'windows',
    directories: SYS,
    sources: LOLBAS,
    patterns: [
      p(
        'certutil-fetch',
        String.raw`(?:^|\s)[/-](?:urlcache|verifyctl|ping)\b|(?:^|\s)[/-]split\b`,
        'T0894',
        'download',
        'Fetches a file from a URL into the local cache or a chosen path.',
      ),
      p(
        'certutil-decode',
        String.raw`(?:^|\s)[/-]decode(?:hex)?\b`,
        'T0894',
        'download',
        'Decodes a staged Base64 or hex payload into a file.',
      ),
    ],
  }),
  ...proxies({
    names: ['certoc.exe'],
    platform: 'windows',
    directories: SYS,
    sources: LOLBAS,
    patterns: [p('certoc-loaddll', String.raw`-loaddll\b`, 'T0894', 'library-load', 'Loads a DLL named on the command line.')],
  }),
  ...proxies({
    names: ['diantz.exe', 'makecab.exe'],
    platform: 'windows',
    directories: SYS,
    sources: LOLBAS,
    patterns: [
      p(
        'cab-directive-file',
        String.raw`(?:^|\s)[/-]f(?:\s|$)`,
        'T0894',
        'execute',
        'Runs a cabinet directive file, which can reference and stage arbitrary files.',
      ),
    ],
  }),
  ...proxies({
    names: ['diskshadow.exe'],
    platform: 'windows',
    directories: SYS,
    sources: LOLBAS,
    patterns: [
      p(
        'diskshadow-script',
        String.raw`(?:^|\s)[/-]s(?:\s|$)`,
        'T0894',
        'execute',
        'Runs a command script whose `exec` verb starts programs.',
      ),
    ],
  }),
  ...proxies({
    names: ['dnscmd.exe'],
    platform: 'windows',
    directories: SYS,
    sources: LOLBAS,
    patterns: [p('dnscmd-plugin', 'serverlevelplugindll', 'T0894', 'library-load', 'Makes the DNS service load a plug-in DLL.')],
  }),
  ...proxies({
    names: ['infdefaultinstall.exe'],
    platform: 'windows',
    directories: SYS,
    sources: BOTH,
    blockRecommended: true,
    patterns: [
      anyUse('infdefaultinstall-any', 'execute', 'Installs an INF file, which can run commands and register scriptlets.'),
    ],
  }),
  ...proxies({
    names: ['mavinject.exe'],
    platform: 'windows',
    directories: SYS,
    sources: LOLBAS,
    patterns: [
      p(
        'mavinject-inject',
        String.raw`[/-](?:injectrunning|hmodule)\b`,
        'T0894',
        'library-load',
        'Injects a DLL into a running process.',
      ),
    ],
  }),
  ...proxies({
    names: ['mmc.exe'],
    platform: 'windows',
    directories: SYS,
    sources: LOLBAS,
    patterns: [
      p(
        'mmc-foreign-console',
        String.raw`(?:^|\s)[/-]embedding\b|${ARG}(?:${REMOTE}|[a-z]:[\\/](?!windows[\\/]))\S*\.msc\b`,
        'T0894',
        'execute',
        'Loads a management console file (which can host script) from outside the Windows directory.',
      ),
    ],
  }),
  ...proxies({
    names: ['mofcomp.exe'],
    platform: 'windows',
    directories: WBEM,
    sources: LOLBAS,
    patterns: [
      p(
        'mofcomp-compile',
        String.raw`\.mof\b|${ARG}[^\s"'/-]`,
        'T0871',
        'execute',
        'Compiles a MOF into the WMI repository; event consumers in it run commands later.',
      ),
    ],
  }),
  ...proxies({
    names: ['msdt.exe'],
    platform: 'windows',
    directories: SYS,
    sources: LOLBAS,
    patterns: [
      p(
        'msdt-answer-file',
        String.raw`(?:^|\s)[/-]af\s|it_browseforfile|it_launchmethod|\$\(|[/-]id\s+pcwdiagnostic`,
        'T0894',
        'execute',
        'A troubleshooter run with an answer file or crafted parameters starts a program.',
      ),
    ],
  }),
  ...proxies({
    names: ['msedge.exe', 'msedge_proxy.exe', 'msedgewebview2.exe'],
    platform: 'windows',
    directories: EDGE,
    sources: LOLBAS,
    patterns: [chromiumLauncher('edge')],
  }),
  ...proxies({
    names: ['netsh.exe'],
    platform: 'windows',
    directories: SYS,
    sources: LOLBAS,
    patterns: [
      p(
        'netsh-helper',
        String.raw`add\s+helper\b`,
        'T0894',
        'library-load',
        'Registers a helper DLL that netsh loads on every run.',
      ),
    ],
  }),
  ...proxies({
    names: ['odbcconf.exe'],
    platform: 'windows',
    directories: SYS,
    sources: LOLBAS,
    patterns: [
      p(
        'odbcconf-load',
        String.raw`regsvr|installdriver|configsysdsn|(?:^|\s)[/-]f(?:\s|$)|\.rsp\b`,
        'T0894',
        'library-load',
        'Registers or installs a driver DLL, directly or from a response file.',
      ),
    ],
  }),
  ...proxies({
    names: ['pcalua.exe'],
    platform: 'windows',
    directories: ['c:/windows/system32'],
    sources: LOLBAS,
    patterns: [
      p(
        'pcalua-launch',
        String.raw`(?:^|\s)-a(?:\s|$)`,
        'T0894',
        'execute',
        'Program Compatibility Assistant launches the named program.',
      ),
    ],
  }),
  ...proxies({
    names: ['pcwrun.exe', 'runexehelper.exe', 'presentationhost.exe'],
    platform: 'windows',
    directories: SYS,
    sources: LOLBAS,
    patterns: [
      p(
        'launcher-operand',
        ANY_OPERAND,
        'T0894',
        'execute',
        'Launches the program or application package given as its argument.',
      ),
    ],
  }),
  ...proxies({
    names: ['pnputil.exe'],
    platform: 'windows',
    directories: ['c:/windows/system32'],
    sources: LOLBAS,
    patterns: [
      p(
        'pnputil-install',
        String.raw`(?:^|\s)[/-](?:i|install)(?:\s|$)`,
        'T0894',
        'execute',
        'Installs a driver package; its INF can run code.',
      ),
    ],
  }),
  ...proxies({
    names: ['rasautou.exe'],
    platform: 'windows',
    directories: ['c:/windows/system32'],
    sources: LOLBAS,
    patterns: [
      p(
        'rasautou-dll',
        String.raw`(?:^|\s)-d(?:\s|$)`,
        'T0894',
        'library-load',
        'Loads a DLL and calls an export named with -p.',
      ),
    ],
  }),
  ...proxies({
    names: ['register-cimprovider.exe'],
    platform: 'windows',
    directories: SYS,
    sources: LOLBAS,
    patterns: [p('cimprovider-path', String.raw`-path\b`, 'T0894', 'library-load', 'Registers (and loads) a WMI provider DLL.')],
  }),
  ...proxies({
    names: ['scriptrunner.exe'],
    platform: 'windows',
    directories: SYS,
    sources: LOLBAS,
    patterns: [
      p(
        'scriptrunner-appvscript',
        String.raw`-appvscript\b`,
        'T0894',
        'execute',
        'Runs a program or batch file as an App-V script.',
      ),
    ],
  }),
  ...proxies({
    names: ['settingsynchost.exe'],
    platform: 'windows',
    directories: SYS,
    sources: LOLBAS,
    patterns: [p('settingsync-diagscript', '-loadandrundiagscript', 'T0894', 'execute', 'Runs a diagnostic script or program.')],
  }),
  ...proxies({
    names: ['syncappvpublishingserver.exe'],
    platform: 'windows',
    directories: SYS,
    sources: LOLBAS,
    patterns: [
      p(
        'syncappv-powershell',
        ANY_OPERAND,
        'T0853',
        'script',
        'Its argument is spliced into a PowerShell command line: inline PowerShell.',
      ),
    ],
  }),
  ...proxies({
    names: ['ttdinject.exe', 'tttracer.exe'],
    platform: 'windows',
    directories: SYS,
    sources: LOLBAS,
    patterns: [
      p(
        'ttd-launch',
        String.raw`[/-]launch\b|${ARG}[^\s"'/-]`,
        'T0894',
        'execute',
        'Time-travel debugging launches the program it is asked to trace.',
      ),
    ],
  }),
  ...proxies({
    names: ['verclsid.exe'],
    platform: 'windows',
    directories: SYS,
    sources: LOLBAS,
    patterns: [
      p(
        'verclsid-com',
        String.raw`\{[0-9a-f-]{36}\}`,
        'T0894',
        'execute',
        'Instantiates a COM object by CLSID, which can be registered to any code.',
      ),
    ],
  }),
  ...proxies({
    names: ['winget.exe'],
    platform: 'windows',
    sources: LOLBAS,
    patterns: [
      p(
        'winget-install',
        String.raw`(?:^|\s)(?:install|add|upgrade|import)\b`,
        'T0894',
        'execute',
        'Installs a package, from a manifest or a store, and runs its installer.',
      ),
    ],
  }),
  ...proxies({
    names: ['wlrmdr.exe'],
    platform: 'windows',
    directories: ['c:/windows/system32'],
    sources: LOLBAS,
    patterns: [p('wlrmdr-launch', String.raw`(?:^|\s)-u(?:\s|$)`, 'T0894', 'execute', 'Starts the program given with -u.')],
  }),
  ...proxies({
    names: ['wmic.exe'],
    platform: 'windows',
    directories: WBEM,
    sources: BOTH,
    blockRecommended: true,
    patterns: [
      p(
        'wmic-process-create',
        String.raw`process\s+call\s+create\b`,
        'T0871',
        'execute',
        'Creates a process through WMI (locally or on /node: hosts).',
      ),
      p('wmic-xsl-format', '[/-]format:', 'T0853', 'script', 'Formats output with an XSL stylesheet, which can hold script.'),
      p(
        'wmic-any',
        ANY,
        'T0871',
        'execute',
        'Microsoft recommends blocking WMIC outright: every use is WMI access from the command line.',
      ),
    ],
  }),
  ...proxies({
    names: ['wuauclt.exe'],
    platform: 'windows',
    directories: ['c:/windows/system32'],
    sources: LOLBAS,
    patterns: [
      p(
        'wuauclt-provider',
        String.raw`[/-]updatedeploymentprovider\b`,
        'T0894',
        'library-load',
        'Loads an update deployment provider DLL.',
      ),
    ],
  }),
  ...proxies({
    names: ['xwizard.exe'],
    platform: 'windows',
    directories: SYS,
    sources: LOLBAS,
    patterns: [p('xwizard-runwizard', String.raw`runwizard\b`, 'T0894', 'execute', 'Runs a wizard registered as a COM object.')],
  }),
  ...proxies({
    names: ['wt.exe'],
    platform: 'windows',
    sources: LOLBAS,
    patterns: [p('wt-command', ANY_OPERAND, 'T0894', 'execute', 'Windows Terminal starts the command line it is given.')],
  }),
  ...proxies({
    names: ['scp.exe', 'sftp.exe', 'ssh.exe'],
    platform: 'windows',
    directories: OPENSSH,
    sources: LOLBAS,
    patterns: [
      p(
        'openssh-local-command',
        String.raw`proxycommand|localcommand|knownhostscommand|(?:^|\s)-[SD](?:\s|$)`,
        'T0894',
        'execute',
        'An OpenSSH option that runs a local command or helper program.',
      ),
      p(
        'openssh-provider',
        'pkcs11provider|securitykeyprovider',
        'T0894',
        'library-load',
        'Loads a provider library named by the caller.',
      ),
    ],
  }),
  ...proxies({
    names: ['bash.exe', 'wsl.exe', 'wslhost.exe', 'wslconfig.exe', 'lxrun.exe'],
    platform: 'windows',
    directories: ['c:/windows/system32'],
    sources: BOTH,
    blockRecommended: true,
    patterns: [
      anyUse('wsl-any', 'execute', 'Windows Subsystem for Linux runs Linux programs outside Windows application control.'),
    ],
  }),
  // ---- .NET Framework tools ------------------------------------------------------------------
  ...proxies({
    names: ['installutil.exe', 'regasm.exe', 'regsvcs.exe'],
    platform: 'windows',
    directories: NET,
    sources: LOLBAS,
    patterns: [
      p(
        'dotnet-installer-class',
        ANY_OPERAND,
        'T0894',
        'execute',
        'Runs installer or registration code inside the assembly it is given.',
      ),
    ],
  }).map((s) => (s.name === 'installutil.exe' ? { ...s, blockRecommended: true, sources: BOTH } : s)),
  ...proxies({
    names: ['csc.exe', 'vbc.exe', 'jsc.exe', 'ilasm.exe', 'aspnet_compiler.exe', 'microsoft.workflow.compiler.exe'],
    platform: 'windows',
    directories: NET,
    sources: LOLBAS,
    patterns: [anyUse('dotnet-compiler', 'compile', 'Compiles source into a new program or library on the host.')],
  }).map((s) =>
    ['aspnet_compiler.exe', 'microsoft.workflow.compiler.exe'].includes(s.name)
      ? { ...s, blockRecommended: true, sources: BOTH }
      : s,
  ),
  ...proxies({
    names: ['msbuild.exe'],
    platform: 'windows',
    directories: [...NET, 'c:/program files (x86)/msbuild/14.0/bin'],
    sources: BOTH,
    blockRecommended: true,
    patterns: [
      p(
        'msbuild-logger',
        String.raw`(?:^|\s)[/-](?:logger|l|distributedlogger|dl):`,
        'T0894',
        'library-load',
        'Loads a logger assembly given on the command line.',
      ),
      p(
        'msbuild-project',
        String.raw`^(?![/-](?:version|ver|help|h|\?)\s*$)`,
        'T0894',
        'compile',
        'Builds a project; inline tasks in it are compiled and run.',
      ),
    ],
  }),
  ...proxies({
    names: ['addinutil.exe', 'addinprocess.exe', 'addinprocess32.exe'],
    platform: 'windows',
    directories: NET,
    sources: BOTH,
    blockRecommended: true,
    patterns: [
      anyUse(
        'addin-any',
        'execute',
        'Add-in pipeline tools load and run add-in assemblies (AddinUtil reads a pipeline cache file).',
      ),
    ],
  }),
  ...proxies({
    names: ['ieexec.exe'],
    platform: 'windows',
    directories: NET.filter((d) => d.includes('v2.0')),
    sources: LOLBAS,
    patterns: [p('ieexec-remote', ANY_OPERAND, 'T0894', 'execute', 'Downloads and runs a .NET program from a URL.')],
  }),
  // ---- SDKs, Visual Studio, Office, other Microsoft tools ------------------------------------
  ...proxies({
    names: ['cdb.exe', 'ntsd.exe', 'windbg.exe', 'kd.exe', 'ntkd.exe', 'dbgsrv.exe', 'dbghost.exe', 'dbgsvc.exe'],
    platform: 'windows',
    directories: DEBUGGERS,
    sources: BOTH,
    blockRecommended: true,
    patterns: [anyUse('debugger-any', 'execute', 'Debuggers run commands and programs and can write into other processes.')],
  }),
  ...proxies({
    names: ['csi.exe', 'rcsi.exe', 'fsi.exe', 'fsianycpu.exe', 'dnx.exe'],
    platform: 'windows',
    sources: BOTH,
    blockRecommended: true,
    patterns: [anyUse('dotnet-script-shell', 'script', 'C#/F# script shells run script files or interactive code.')],
  }),
  ...proxies({
    names: ['dotnet.exe'],
    platform: 'windows',
    directories: ['c:/program files/dotnet', 'c:/program files (x86)/dotnet'],
    sources: BOTH,
    blockRecommended: true,
    patterns: [
      p(
        'dotnet-run-assembly',
        String.raw`${ARG}[^\s"'-][^\s"']*\.dll\b|(?:^|\s)(?:exec|run)(?:\s|$)`,
        'T0894',
        'execute',
        'Runs an application assembly or project.',
      ),
      p('dotnet-fsi', String.raw`(?:^|\s)fsi(?:\s|$)`, 'T0853', 'script', 'Starts the F# interactive script shell.'),
      p(
        'dotnet-build',
        String.raw`(?:^|\s)(?:msbuild|build|publish)(?:\s|$)`,
        'T0894',
        'compile',
        'Builds a project, running its build tasks.',
      ),
    ],
  }),
  ...proxies({
    names: [
      'bginfo.exe',
      'texttransform.exe',
      'visualuiaverifynative.exe',
      'powershellcustomhost.exe',
      'runscripthelper.exe',
      'microsoft.management.services.intunewindowsagent.exe',
      'wfc.exe',
    ],
    platform: 'windows',
    sources: BOTH,
    blockRecommended: true,
    patterns: [
      anyUse(
        'blocklisted-code-host',
        'execute',
        'Microsoft lists it as able to run code that application control would not allow; blocked outright.',
      ),
    ],
  }),
  ...proxies({
    names: ['kill.exe'],
    platform: 'windows',
    directories: DEBUGGERS,
    sources: WDAC,
    blockRecommended: true,
    // Blocked for ending protected processes, not for running code: no proxy pattern applies.
    patterns: [],
  }),
  ...proxies({
    // Libraries in the block rules are loaded, never executed: argument patterns cannot see them.
    names: [
      'msbuild.dll',
      'microsoft.build.dll',
      'lxssmanager.dll',
      'davsvc.dll',
      'jscript9.dll',
      'mfc40.dll',
      'msxml3.dll',
      'msxml6.dll',
    ],
    platform: 'windows',
    sources: WDAC,
    blockRecommended: true,
    patterns: [],
  }),
  ...proxies({
    names: ['sqlps.exe', 'sqltoolsps.exe'],
    platform: 'windows',
    sources: LOLBAS,
    patterns: [
      anyUse(
        'sql-powershell-host',
        'script',
        'SQL Server PowerShell hosts give a full PowerShell session outside PowerShell’s own policies.',
      ),
    ],
  }),
  ...proxies({
    names: ['acccheckconsole.exe'],
    platform: 'windows',
    sources: LOLBAS,
    patterns: [
      p('acccheck-dll', String.raw`\.dll\b`, 'T0894', 'library-load', 'Loads a verification DLL of the caller’s choosing.'),
    ],
  }),
  ...proxies({
    names: ['adplus.exe'],
    platform: 'windows',
    directories: DEBUGGERS,
    sources: LOLBAS,
    patterns: [
      p(
        'adplus-commands',
        String.raw`(?:^|\s)-(?:c|sc)(?:\s|$)`,
        'T0894',
        'execute',
        'Runs a debugger configuration or spawns the program to monitor.',
      ),
    ],
  }),
  ...proxies({
    names: ['agentexecutor.exe'],
    platform: 'windows',
    directories: ['c:/program files (x86)/microsoft intune management extension'],
    sources: LOLBAS,
    patterns: [
      p(
        'agentexecutor-powershell',
        String.raw`-(?:powershell|remediationscript|executescript)\b`,
        'T0853',
        'script',
        'Runs a PowerShell script, with a PowerShell directory the caller may choose.',
      ),
    ],
  }),
  ...proxies({
    names: [
      'applauncher.exe',
      'appvlp.exe',
      'coregen.exe',
      'logger.exe',
      'mftrace.exe',
      'microsoft.nodejstools.pressanykey.exe',
      'mpiexec.exe',
      'openconsole.exe',
      'te.exe',
      'vslaunchbrowser.exe',
      'vsjitdebugger.exe',
      'vstest.console.exe',
      'winfile.exe',
      'xbootmgrsleep.exe',
    ],
    platform: 'windows',
    sources: LOLBAS,
    patterns: [
      p(
        'launcher-operand',
        ANY_OPERAND,
        'T0894',
        'execute',
        'Starts or loads the program, library or test container given as its argument.',
      ),
    ],
  }),
  ...proxies({
    names: ['msxsl.exe'],
    platform: 'windows',
    sources: LOLBAS,
    patterns: [p('msxsl-transform', ANY_OPERAND, 'T0853', 'script', 'Applies an XSL stylesheet, whose script blocks run.')],
  }),
  ...proxies({
    names: ['appcert.exe'],
    platform: 'windows',
    sources: LOLBAS,
    patterns: [p('appcert-setup', String.raw`-setuppath\b`, 'T0894', 'execute', 'Runs the installer it is asked to certify.')],
  }),
  ...proxies({
    names: ['defaultpack.exe'],
    platform: 'windows',
    directories: ['c:/program files (x86)/microsoft/defaultpack'],
    sources: LOLBAS,
    patterns: [p('defaultpack-command', '[/-]c:', 'T0894', 'execute', 'Runs the command given with /C:.')],
  }),
  ...proxies({
    names: ['devinit.exe'],
    platform: 'windows',
    sources: LOLBAS,
    patterns: [
      p(
        'devinit-msi',
        String.raw`(?:^|\s)run\b|msi-install`,
        'T0894',
        'execute',
        'Runs a tool, e.g. installs an MSI from a URL.',
      ),
    ],
  }),
  ...proxies({
    names: ['devtoolslauncher.exe'],
    platform: 'windows',
    sources: LOLBAS,
    patterns: [
      p(
        'devtools-launch',
        String.raw`launchfor(?:deploy|debug)\b`,
        'T0894',
        'execute',
        'Starts a program with arguments for deployment or debugging.',
      ),
    ],
  }),
  ...proxies({
    names: ['dxcap.exe'],
    platform: 'windows',
    directories: SYS,
    sources: LOLBAS,
    patterns: [
      p('dxcap-capture', String.raw`(?:^|\s)-c(?:\s|$)`, 'T0894', 'execute', 'Starts the program to capture graphics from.'),
    ],
  }),
  ...proxies({
    names: ['intellitrace.exe', 'pixtool.exe'],
    platform: 'windows',
    sources: LOLBAS,
    patterns: [
      p('tracer-launch', String.raw`(?:^|\s)launch\b`, 'T0894', 'execute', 'Launches a program under a tracer or profiler.'),
    ],
  }),
  ...proxies({
    names: ['msdeploy.exe'],
    platform: 'windows',
    sources: LOLBAS,
    patterns: [
      p('msdeploy-runcommand', 'runcommand', 'T0894', 'execute', 'Web Deploy’s runCommand provider executes a command.'),
    ],
  }),
  ...proxies({
    names: ['procdump.exe'],
    platform: 'windows',
    sources: LOLBAS,
    patterns: [
      p(
        'procdump-callback-dll',
        String.raw`(?:^|\s)-md(?:\s|$)`,
        'T0894',
        'library-load',
        'Loads a callback DLL into the dumping process.',
      ),
    ],
  }),
  ...proxies({
    names: ['remote.exe'],
    platform: 'windows',
    directories: DEBUGGERS,
    sources: LOLBAS,
    patterns: [
      p('remote-server', String.raw`(?:^|\s)[/-]s(?:\s|$)`, 'T0894', 'execute', 'Starts a program as a remote session server.'),
    ],
  }),
  ...proxies({
    names: ['squirrel.exe', 'update.exe'],
    platform: 'windows',
    sources: LOLBAS,
    patterns: [
      p(
        'squirrel-update',
        String.raw`--(?:update|updaterollback|processstart|processstartandwait|createshortcut|removeshortcut)\b`,
        'T0894',
        'execute',
        'The Squirrel updater downloads, installs or starts a package or program.',
      ),
    ],
  }),
  ...proxies({
    names: ['teams.exe', 'mscopilot.exe', 'mscopilot_proxy.exe'],
    platform: 'windows',
    sources: LOLBAS,
    patterns: [chromiumLauncher('electron')],
  }),
  ...proxies({
    names: ['tracker.exe'],
    platform: 'windows',
    sources: LOLBAS,
    patterns: [
      p(
        'tracker-dll',
        String.raw`(?:^|\s)[/-]d(?:\s|$)`,
        'T0894',
        'library-load',
        'Injects a tracking DLL into the program it starts.',
      ),
    ],
  }),
  ...proxies({
    names: ['vsdiagnostics.exe'],
    platform: 'windows',
    sources: LOLBAS,
    patterns: [p('vsdiagnostics-launch', '[/-]launch:', 'T0894', 'execute', 'Starts a program to collect diagnostics from.')],
  }),
  ...proxies({
    names: ['vsiisexelauncher.exe'],
    platform: 'windows',
    sources: LOLBAS,
    patterns: [p('vsiis-launch', String.raw`(?:^|\s)-p(?:\s|$)`, 'T0894', 'execute', 'Starts the program given with -p.')],
  }),
  ...proxies({
    names: ['vshadow.exe'],
    platform: 'windows',
    sources: LOLBAS,
    patterns: [p('vshadow-exec', '-exec=', 'T0894', 'execute', 'Runs a program after creating a shadow copy.')],
  }),
  ...proxies({
    names: ['wsb.exe'],
    platform: 'windows',
    sources: LOLBAS,
    patterns: [
      p('sandbox-command', String.raw`logoncommand|(?:^|\s)exec\b`, 'T0894', 'execute', 'Runs a command inside Windows Sandbox.'),
    ],
  }),
  ...proxies({
    names: ['xbootmgr.exe'],
    platform: 'windows',
    directories: WPT,
    sources: LOLBAS,
    patterns: [
      p(
        'xbootmgr-callback',
        String.raw`-(?:callback|pretracecmd|posttracecmd)\b`,
        'T0894',
        'execute',
        'Runs a program before or after a boot trace.',
      ),
    ],
  }),
  ...proxies({
    names: ['vsls-agent.exe'],
    platform: 'windows',
    sources: LOLBAS,
    patterns: [
      p('vsls-extension', String.raw`--agentextensionpath\b`, 'T0894', 'library-load', 'Loads an agent extension library.'),
    ],
  }),
  ...proxies({
    names: ['extexport.exe'],
    platform: 'windows',
    directories: ['c:/program files/internet explorer', 'c:/program files (x86)/internet explorer'],
    sources: LOLBAS,
    patterns: [p('extexport-folder', ANY_OPERAND, 'T0894', 'library-load', 'Loads helper DLLs from the folder it is given.')],
  }),
];
