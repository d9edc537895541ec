/**
 * Linux proxy binaries: common Debian programs whose arguments make them run other code. Facts
 * (names, options) come from GTFOBins; the patterns and wording are ours.
 *
 * Design choice for pure wrappers (nice, timeout, env, xargs, stdbuf, …): the program they start is
 * itself an exec that ExecGuard decides on its own, so `nice make` is not flagged. What is flagged
 * is a wrapper starting a *shell*: that hides the shell's real parent and is the usual escape.
 * Interpreters (perl, python, ruby, php, node, lua, tclsh, expect) are in interpreters.ts, and
 * `ld.so` in the loader patterns; they are not repeated here.
 */
import type { ProxyBinarySpec } from '@execguard/schema';
import { pattern as p, proxies, SHELL_OPERAND } from './build.js';

const BIN = ['/usr/bin', '/bin'];
const SBIN = ['/usr/sbin', '/sbin'];
const G = ['gtfobins'];

const wrapperShell = (id: string, what: string) => p(`${id}-shell`, SHELL_OPERAND, 'T0807', 'shell', `${what} starts a shell.`);
/** No operand besides options: the program falls back to running the user's shell. */
const onlyOptions = String.raw`^(?:-\S+\s*)*$`;

export const linuxProxies: readonly ProxyBinarySpec[] = [
  ...proxies({
    names: ['find'],
    platform: 'linux',
    directories: BIN,
    sources: G,
    patterns: [
      p(
        'find-exec',
        String.raw`(?:^|\s)-(?:exec|execdir|ok|okdir)(?:\s|$)`,
        'T0894',
        'execute',
        'Runs a command for each file found.',
      ),
    ],
  }),
  ...proxies({
    names: ['awk', 'gawk', 'mawk', 'nawk', 'original-awk'],
    platform: 'linux',
    directories: BIN,
    sources: G,
    patterns: [
      p(
        'awk-command',
        String.raw`\b(?:system|popen)\s*\(|\|\s*&?\s*getline\b|\b(?:print|printf)\b[^;}]*\|&?\s*["'a-z_]`,
        'T0807',
        'shell',
        'The awk program hands a command line to the shell (system(), command | getline, print | command).',
      ),
    ],
  }),
  ...proxies({
    names: ['sed'],
    platform: 'linux',
    directories: BIN,
    sources: G,
    patterns: [
      p(
        'sed-e-command',
        String.raw`(?:^|[\s'";{}])(?:\d+|\$|/[^/\s]*/)?e(?:\s|$|['";])`,
        'T0807',
        'shell',
        'GNU sed’s `e` command runs a shell command.',
      ),
      p(
        'sed-s-exec-flag',
        String.raw`(?:^|[\s'";{])s([^\w\s])(?:(?!\1).)*\1(?:(?!\1).)*\1[gpimw0-9]*e`,
        'T0807',
        'shell',
        'The `e` flag of `s///` runs the pattern space as a shell command.',
      ),
    ],
  }),
  ...proxies({
    names: [
      'env',
      'nice',
      'timeout',
      'stdbuf',
      'taskset',
      'ionice',
      'chrt',
      'nohup',
      'time',
      'xargs',
      'setsid',
      'ssh-agent',
      'logsave',
      'cpulimit',
      'pkexec',
      'doas',
      'aa-exec',
      'firejail',
      'strace',
      'ltrace',
      'valgrind',
      'start-stop-daemon',
      'watch',
      'runuser',
    ],
    platform: 'linux',
    directories: [...BIN, ...SBIN],
    sources: G,
    patterns: [wrapperShell('wrapper', 'A program wrapper')],
  }),
  ...proxies({
    names: ['flock'],
    platform: 'linux',
    directories: BIN,
    sources: G,
    patterns: [
      wrapperShell('flock', 'flock'),
      p(
        'flock-command',
        String.raw`(?:^|\s)(?:-c|--command)(?:\s|=|$)`,
        'T0807',
        'shell',
        'Runs a command string through the shell while holding a lock.',
      ),
    ],
  }),
  ...proxies({
    names: ['setarch', 'linux32', 'linux64', 'unshare', 'nsenter', 'chroot', 'sg'],
    platform: 'linux',
    directories: [...BIN, ...SBIN],
    sources: G,
    patterns: [
      wrapperShell('namespace', 'A namespace, personality or group switch'),
      // setarch ARCH / chroot DIR / sg GROUP with nothing after it run the default shell.
      p(
        'namespace-default-shell',
        String.raw`${onlyOptions}|^(?:-\S+\s+)*[^\s-]\S*(?:\s+-\S+)*\s*$`,
        'T0807',
        'shell',
        'Without a command the program starts the default shell.',
      ),
    ],
  }),
  ...proxies({
    names: ['sudo', 'su'],
    platform: 'linux',
    directories: BIN,
    sources: G,
    patterns: [
      wrapperShell('privilege', 'A privilege switch'),
      p(
        'privilege-shell-option',
        String.raw`(?:^|\s)(?:-[a-z]*[si]|--shell|--login|-c|--command|--session-command)(?:\s|=|$)`,
        'T0807',
        'shell',
        'Asks for a shell or a shell command line.',
      ),
    ],
  }),
  ...proxies({
    names: ['systemd-run'],
    platform: 'linux',
    directories: BIN,
    sources: G,
    patterns: [
      wrapperShell('systemd-run', 'systemd-run'),
      p(
        'systemd-run-interactive',
        String.raw`(?:^|\s)(?:-S|--shell)(?:\s|$)`,
        'T0807',
        'shell',
        'Starts an interactive shell as a transient service.',
      ),
      p(
        'systemd-run-command',
        String.raw`^(?:-\S+\s+)*[^\s-]`,
        'T0871',
        'execute',
        'Starts a command as a transient unit through the service manager.',
      ),
    ],
  }),
  ...proxies({
    names: ['capsh'],
    platform: 'linux',
    directories: SBIN,
    sources: G,
    patterns: [
      p(
        'capsh-shell',
        String.raw`(?:^|\s)--(?:\s|$)|--shell=`,
        'T0807',
        'shell',
        'Runs a shell after changing capabilities and ids.',
      ),
    ],
  }),
  ...proxies({
    names: ['script'],
    platform: 'linux',
    directories: BIN,
    sources: G,
    patterns: [
      p('script-session', '^', 'T0807', 'shell', 'Every run records a shell session or runs a command line through the shell.'),
    ],
  }),
  ...proxies({
    names: ['screen', 'tmux'],
    platform: 'linux',
    directories: BIN,
    sources: G,
    patterns: [
      wrapperShell('multiplexer', 'A terminal multiplexer'),
      p(
        'multiplexer-default-shell',
        String.raw`^(?:(?:-[dDrRmSAaxU]+|-S\s+\S+)\s*)*$|(?:^|\s)-c(?:\s|$)`,
        'T0807',
        'shell',
        'Opens a session running the default shell, or a shell command given with -c.',
      ),
    ],
  }),
  ...proxies({
    names: ['tar'],
    platform: 'linux',
    directories: BIN,
    sources: G,
    patterns: [
      p(
        'tar-command-option',
        String.raw`--(?:to-command|checkpoint-action|use-compress-program|rsh-command|rmt-command|info-script|new-volume-script)\b|(?:^|\s)-[IF](?:\s|$)`,
        'T0894',
        'execute',
        'GNU tar runs an external program for (de)compression, per-file output, checkpoints or remote access.',
      ),
    ],
  }),
  ...proxies({
    names: ['zip'],
    platform: 'linux',
    directories: BIN,
    sources: G,
    patterns: [
      p(
        'zip-test-command',
        String.raw`(?:^|\s)(?:-TT|--unzip-command)(?:\s|=|$)`,
        'T0894',
        'execute',
        'Runs the given command to test the archive.',
      ),
    ],
  }),
  ...proxies({
    names: ['cpio'],
    platform: 'linux',
    directories: BIN,
    sources: G,
    patterns: [
      p(
        'cpio-remote-shell',
        String.raw`--(?:rsh-command|rmt-command)\b`,
        'T0894',
        'execute',
        'Runs a remote-shell program of the caller’s choosing.',
      ),
    ],
  }),
  ...proxies({
    names: ['vi', 'vim', 'vim.basic', 'vim.tiny', 'view', 'vimdiff', 'rvim', 'rview', 'ex', 'nvim'],
    platform: 'linux',
    directories: BIN,
    sources: G,
    patterns: [
      p(
        'vim-shell-command',
        String.raw`(?:^|\s)(?:(?:-c|--cmd)\s+|\+)["']?:?\s*(?:!|sh(?:ell)?\b|set\s+shell|te(?:r(?:m(?:inal)?)?)?\b|call\s+system|exe(?:cute)?\b)`,
        'T0807',
        'shell',
        'An editor command given on the command line runs a shell or shell command.',
      ),
      p(
        'vim-language-command',
        String.raw`(?:^|\s)(?:(?:-c|--cmd)\s+|\+)["']?:?\s*(?:py(?:thon)?[3x]?(?:do|file)?|lua(?:do|file)?|perl(?:do)?|rub(?:y(?:do|file)?)?|so(?:urce)?)\b|(?:^|\s)-S(?:\s|$)`,
        'T0853',
        'script',
        'An editor command runs Python, Lua, Perl or Ruby code, or sources a script file.',
      ),
    ],
  }),
  ...proxies({
    names: ['nano', 'pico'],
    platform: 'linux',
    directories: BIN,
    sources: G,
    patterns: [
      p(
        'nano-speller',
        String.raw`(?:^|\s)(?:-s|--speller)(?:\s|=|$)`,
        'T0894',
        'execute',
        'Sets an external program as the spell checker, run on request.',
      ),
    ],
  }),
  ...proxies({
    names: ['less'],
    platform: 'linux',
    directories: BIN,
    sources: G,
    // Most less escapes are typed at its prompt or come from LESSOPEN/VISUAL; only +commands show.
    patterns: [
      p(
        'less-initial-command',
        String.raw`(?:^|\s)["']?\+\S*[!|]`,
        'T0807',
        'shell',
        'An initial command given with + runs a shell command.',
      ),
    ],
  }),
  ...proxies({
    names: ['man'],
    platform: 'linux',
    directories: BIN,
    sources: G,
    patterns: [
      p(
        'man-program',
        String.raw`(?:^|\s)["']?(?:-[HP]|--html|--pager)`,
        'T0894',
        'execute',
        'Uses a browser or pager program of the caller’s choosing.',
      ),
    ],
  }),
  ...proxies({
    names: ['git'],
    platform: 'linux',
    directories: BIN,
    sources: G,
    patterns: [
      p(
        'git-command-config',
        String.raw`--exec-path[=\s]|--(?:upload|receive)-pack\b|(?:^|\s)["']?ext::|(?:^|\s)-c\s+["']?(?:core\.(?:pager|sshcommand|editor|hookspath|fsmonitor|gitproxy|askpass)|alias\.\S+=["']?!|sequence\.editor|diff\.\S+\.command|credential\.helper|protocol\.ext\.allow)`,
        'T0894',
        'execute',
        'Makes git run a helper, hook directory, pager, editor or alias command chosen on the command line.',
      ),
    ],
  }),
  ...proxies({
    names: ['ssh', 'scp', 'sftp'],
    platform: 'linux',
    directories: BIN,
    sources: G,
    patterns: [
      p(
        'ssh-local-command',
        String.raw`proxycommand|localcommand|knownhostscommand|(?:^|\s)-[SD](?:\s|$)`,
        'T0894',
        'execute',
        'An OpenSSH option that runs a local command or helper program.',
      ),
      p(
        'ssh-provider',
        'pkcs11provider|securitykeyprovider',
        'T0894',
        'library-load',
        'Loads a provider library named by the caller.',
      ),
      wrapperShell('ssh-remote', 'The remote command'),
    ],
  }),
  ...proxies({
    names: ['rsync'],
    platform: 'linux',
    directories: BIN,
    sources: G,
    patterns: [
      p(
        'rsync-rsh-shell',
        String.raw`(?:^|\s)(?:-e|--rsh)(?:\s+|=)["']?(?:\S*/)?(?:sh|bash|dash|zsh|ksh|ash)\b`,
        'T0807',
        'shell',
        'The remote-shell program is a local shell, which runs the given command.',
      ),
    ],
  }),
  ...proxies({
    names: ['busybox'],
    platform: 'linux',
    directories: BIN,
    sources: G,
    patterns: [
      p('busybox-shell', String.raw`^(?:sh|ash|hush|bash|msh)(?:\s|$)`, 'T0807', 'shell', 'Runs BusyBox’s built-in shell.'),
      p(
        'busybox-nc-exec',
        String.raw`^(?:nc|netcat)\b.*(?:^|\s)-[a-z]*e(?:\s|$)`,
        'T0807',
        'shell',
        'BusyBox netcat connects a program (usually a shell) to the network.',
      ),
      p(
        'busybox-find-exec',
        String.raw`^find\b.*(?:^|\s)-exec(?:dir)?(?:\s|$)`,
        'T0894',
        'execute',
        'BusyBox find runs a command per file.',
      ),
      p(
        'busybox-wrapper-shell',
        String.raw`^(?:env|nice|nohup|timeout|chroot|setsid|xargs|time|taskset|chrt|ionice|start-stop-daemon|su|script|watch|run-parts|flock|setarch|linux32|linux64|unshare|nsenter|chpst|cttyhack|awk)\b.*${SHELL_OPERAND}`,
        'T0807',
        'shell',
        'A BusyBox wrapper applet starts a shell.',
      ),
      p(
        'busybox-awk-command',
        String.raw`^awk\b.*\b(?:system|popen)\s*\(`,
        'T0807',
        'shell',
        'BusyBox awk hands a command line to the shell.',
      ),
      p('busybox-httpd', String.raw`^httpd\b`, 'T0894', 'execute', 'BusyBox httpd runs CGI programs from its document root.'),
    ],
  }),
  ...proxies({
    names: ['socat'],
    platform: 'linux',
    directories: BIN,
    sources: G,
    patterns: [
      p(
        'socat-exec',
        String.raw`(?:^|[\s!,'"])(?:exec|system):`,
        'T0807',
        'shell',
        'An address that runs a program or shell command and connects it to the other end.',
      ),
    ],
  }),
  ...proxies({
    names: ['nc', 'ncat', 'netcat', 'nc.traditional', 'nc.openbsd'],
    platform: 'linux',
    directories: BIN,
    sources: G,
    patterns: [
      p(
        'nc-exec',
        String.raw`(?:^|\s)(?:-[a-z]*[ec]|--exec|--sh-exec|--lua-exec)(?:\s|=|$)`,
        'T0807',
        'shell',
        'Connects a program or shell command to the network connection.',
      ),
    ],
  }),
  ...proxies({
    names: ['gdb'],
    platform: 'linux',
    directories: BIN,
    sources: G,
    patterns: [
      p(
        'gdb-shell',
        String.raw`(?:^|\s)(?:-ex|--eval-command|-iex|--init-eval-command)(?:\s+|=)["']?\s*(?:!|shell\b|pipe\b|\|)`,
        'T0807',
        'shell',
        'A debugger command that runs a shell command.',
      ),
      p(
        'gdb-script',
        String.raw`(?:^|\s)(?:-ex|--eval-command|-iex|--init-eval-command)(?:\s+|=)["']?\s*(?:python|py|guile|source)\b|(?:^|\s)(?:-x|--command|-ix|--init-command)(?:\s|=|$)`,
        'T0853',
        'script',
        'Runs debugger-embedded Python/Guile code or a command file.',
      ),
      wrapperShell('gdb-program', 'The debugged program'),
    ],
  }),
  ...proxies({
    names: ['make'],
    platform: 'linux',
    directories: BIN,
    sources: G,
    patterns: [
      p(
        'make-eval',
        String.raw`--eval\b|\$\(shell\b|(?:^|\s)SHELL=`,
        'T0807',
        'shell',
        'Injects make code or a shell override from the command line.',
      ),
    ],
  }),
  ...proxies({
    names: ['run-parts'],
    platform: 'linux',
    directories: BIN,
    sources: G,
    patterns: [
      p(
        'run-parts-directory',
        String.raw`^(?!.*--(?:test|list)\b).*?(?:^|\s)["']?(?!/etc/|-)\S`,
        'T0894',
        'execute',
        'Runs every program in a directory other than the system cron/boot directories under /etc.',
      ),
    ],
  }),
  ...proxies({
    names: ['dpkg'],
    platform: 'linux',
    directories: BIN,
    sources: G,
    patterns: [
      p(
        'dpkg-install',
        String.raw`(?:^|\s)(?:-[a-zA-Z]*i|--install|--unpack|--configure)(?:\s|$)`,
        'T0894',
        'execute',
        'Installs a package, running its maintainer scripts as root.',
      ),
    ],
  }),
  ...proxies({
    names: ['apt', 'apt-get'],
    platform: 'linux',
    directories: BIN,
    sources: G,
    patterns: [
      p(
        'apt-hook',
        String.raw`(?:pre|post)-invoke|pre-install-pkgs|(?:^|\s)(?:-c|--config-file)(?:\s|=|$)`,
        'T0894',
        'execute',
        'Adds an APT hook command or a configuration file that may define one.',
      ),
    ],
  }),
  ...proxies({
    names: ['pip', 'pip3'],
    platform: 'linux',
    directories: BIN,
    sources: G,
    patterns: [
      p('pip-editor', String.raw`--editor\b`, 'T0894', 'execute', 'Runs an editor program of the caller’s choosing.'),
      p(
        'pip-install',
        String.raw`(?:^|\s)(?:install|download|wheel)(?:\s|$)`,
        'T0853',
        'script',
        'Building or installing a package can run its setup code.',
      ),
    ],
  }),
  ...proxies({
    names: ['npm', 'npx'],
    platform: 'linux',
    directories: BIN,
    sources: G,
    patterns: [
      p(
        'npm-run-scripts',
        String.raw`(?:^|\s)(?:exec|x|run|run-script|start|test|restart|stop|install|i|ci|rebuild|explore)(?:\s|$)`,
        'T0853',
        'script',
        'Runs package scripts or package binaries.',
      ),
    ],
  }),
  ...proxies({
    names: ['gcc', 'cc', 'g++', 'c++', 'clang'],
    platform: 'linux',
    directories: BIN,
    sources: G,
    patterns: [
      p(
        'cc-wrapper',
        String.raw`(?:^|\s)-wrapper(?:\s|$)`,
        'T0894',
        'execute',
        'Runs each compiler stage under a wrapper program.',
      ),
      p('cc-plugin', '-fplugin=', 'T0894', 'library-load', 'Loads a compiler plug-in library.'),
    ],
  }),
  ...proxies({
    names: ['mysql', 'mariadb', 'psql', 'sqlite3'],
    platform: 'linux',
    directories: BIN,
    sources: G,
    patterns: [
      p(
        'sql-client-shell',
        String.raw`\\!|\.shell\b|\.system\b|(?:^|\s)system\s`,
        'T0807',
        'shell',
        'A client command that runs a local shell command.',
      ),
      p(
        'sql-client-library',
        String.raw`--default-auth\b|--plugin-dir\b|\.load\b|load_extension`,
        'T0894',
        'library-load',
        'Loads a client plug-in or extension library.',
      ),
    ],
  }),
  ...proxies({
    names: ['openssl'],
    platform: 'linux',
    directories: BIN,
    sources: G,
    patterns: [
      p(
        'openssl-engine',
        String.raw`(?:^|\s)-(?:engine|provider|provider-path)(?:\s|$)`,
        'T0894',
        'library-load',
        'Loads an engine or provider library.',
      ),
    ],
  }),
  ...proxies({
    names: ['curl'],
    platform: 'linux',
    directories: BIN,
    sources: G,
    patterns: [p('curl-engine', String.raw`--engine\b`, 'T0894', 'library-load', 'Loads a crypto engine library.')],
  }),
  ...proxies({
    names: ['wget'],
    platform: 'linux',
    directories: BIN,
    sources: G,
    patterns: [
      p(
        'wget-askpass',
        String.raw`--use-askpass\b`,
        'T0894',
        'execute',
        'Runs a password-prompt program of the caller’s choosing.',
      ),
    ],
  }),
  ...proxies({
    names: ['ssh-keygen'],
    platform: 'linux',
    directories: BIN,
    sources: G,
    patterns: [
      p(
        'ssh-keygen-provider',
        String.raw`(?:^|\s)-[Dw](?:\s|$)|sk-provider`,
        'T0894',
        'library-load',
        'Loads a PKCS#11 or security-key provider library.',
      ),
    ],
  }),
  ...proxies({
    names: ['lftp'],
    platform: 'linux',
    directories: BIN,
    sources: G,
    patterns: [
      p(
        'lftp-shell',
        String.raw`(?:^|\s)-[ce]\s+["']?!`,
        'T0807',
        'shell',
        'An lftp command beginning with ! runs a local shell command.',
      ),
    ],
  }),
  ...proxies({
    names: ['busctl'],
    platform: 'linux',
    directories: BIN,
    sources: G,
    patterns: [p('busctl-unixexec', 'unixexec:', 'T0894', 'execute', 'Connects to the bus through a program it starts.')],
  }),
  ...proxies({
    names: ['systemctl'],
    platform: 'linux',
    directories: BIN,
    sources: G,
    patterns: [
      p(
        'systemctl-foreign-unit',
        String.raw`(?:^|\s)(?:link|enable)\b.*\s/(?!etc/systemd/|lib/systemd/|usr/lib/systemd/)\S+\.(?:service|timer|socket|path)\b`,
        'T0871',
        'execute',
        'Links or enables a unit file from outside the systemd directories; the service manager then runs its commands.',
      ),
    ],
  }),
  ...proxies({
    names: ['service'],
    platform: 'linux',
    directories: SBIN,
    sources: G,
    patterns: [
      p(
        'service-path-traversal',
        String.raw`(?:^|\s)\S*\.\./|${SHELL_OPERAND}`,
        'T0807',
        'shell',
        'A service name that walks out of the init-script directory to run another program.',
      ),
    ],
  }),
  ...proxies({
    names: ['crontab'],
    platform: 'linux',
    directories: BIN,
    sources: G,
    patterns: [
      p(
        'crontab-install',
        String.raw`^(?:-u\s+\S+\s+)?(?:-e\b|["']?[^\s-])`,
        'T0871',
        'execute',
        'Installs or edits scheduled commands for cron to run.',
      ),
    ],
  }),
  ...proxies({
    names: ['at', 'batch'],
    platform: 'linux',
    directories: BIN,
    sources: G,
    patterns: [
      p(
        'at-schedule',
        String.raw`^(?!-[lrdc](?:\s|$))(?:-\S+\s+)*(?:now|noon|midnight|teatime|today|tomorrow|\d)|^\s*$`,
        'T0871',
        'execute',
        'Queues commands (from stdin or -f) for the at daemon to run.',
      ),
    ],
  }),
  ...proxies({
    names: ['docker', 'podman'],
    platform: 'linux',
    directories: BIN,
    sources: G,
    patterns: [
      p(
        'container-host-access',
        String.raw`(?:-v|--volume|--mount)[=\s]+["']?(?:type=bind,\S*source=)?/[:,]|--privileged\b|--pid[=\s]+host\b|--net(?:work)?[=\s]+host\b`,
        'T0894',
        'execute',
        'Runs a container with the host filesystem or namespaces, a route to root on the host.',
      ),
    ],
  }),
];
