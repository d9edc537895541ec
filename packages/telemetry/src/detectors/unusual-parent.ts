/**
 * Detector `unusual-parent` — T0807 Command-Line Interface.
 *
 * Logic: a command shell (an interpreter the catalogue files under T0807: cmd, PowerShell, sh, bash
 * …) whose parent is a program that has no reason to start one:
 * - HMI/SCADA and engineering software (`hmiProcessNames`, extend per site with
 *   `unusualParentDetectorWith`);
 * - servers that run code for remote clients: web servers and application servers (w3wp, httpd,
 *   nginx, tomcat, java, node, php-cgi), databases (sqlservr, mysqld, postgres, oracle);
 * - the service control manager (services.exe: a service whose binary is a shell), WmiPrvSE,
 *   spoolsv, lsass, winlogon, and the accessibility programs an "utility manager" backdoor replaces
 *   (sethc, utilman, osk, magnify, narrator, displayswitch, atbroker);
 * - remote-execution service stubs (psexesvc, paexec, remcomsvc, csexecsvc).
 * Severity is high. Office/browser parents belong to `user-execution`, WMI/scheduler parents are
 * also reported by `api-execution` (T0871).
 *
 * Known false positives: SQL Server Agent jobs using xp_cmdshell by design, Java-based build or
 * engineering tools (Ignition gateways, Maven) running scripts, HMI projects that call batch files
 * from buttons, PostgreSQL archive_command, services registered with a .cmd wrapper.
 */
import type { ExecEvent } from '@execguard/schema';
import { clip } from './indicators.js';
import type { Detector, Finding, HostState } from './types.js';
import { interpreterOfProc, isShell, viewOf } from './util.js';

const ID = 'unusual-parent';
const T = 'T0807';

/**
 * Well-known HMI, SCADA and engineering runtime executables (lower-case file names). A starting set:
 * sites add their own vendor programs.
 */
export const hmiProcessNames: readonly string[] = [
  // Siemens WinCC / SIMATIC
  'pdlrt.exe',
  'ccprojectmgr.exe',
  's7tgtopx.exe',
  'wincc_rt.exe',
  'ccagent.exe',
  // Rockwell FactoryTalk / RSLinx / Studio 5000
  'displayclient.exe',
  'rslinx.exe',
  'rslogix5000.exe',
  'ftaesrv.exe',
  // AVEVA / Wonderware InTouch
  'view.exe',
  'wwwindowviewer.exe',
  'intouch.exe',
  // GE iFIX / CIMPLICITY
  'fix.exe',
  'workspace.exe',
  'cimview.exe',
  // Schneider Citect / Vijeo, CODESYS, Kepware
  'citect32.exe',
  'citect.exe',
  'codesys.exe',
  'codesyscontrolservice.exe',
  'server_runtime.exe',
];

const serverParents: readonly string[] = [
  'services.exe',
  'wmiprvse.exe',
  'w3wp.exe',
  'httpd.exe',
  'nginx.exe',
  'tomcat.exe',
  'tomcat9.exe',
  'tomcat10.exe',
  'php-cgi.exe',
  'sqlservr.exe',
  'sqlagent.exe',
  'mysqld.exe',
  'postgres.exe',
  'oracle.exe',
  'java.exe',
  'javaw.exe',
  'node.exe',
  'spoolsv.exe',
  'lsass.exe',
  'winlogon.exe',
  'sethc.exe',
  'utilman.exe',
  'osk.exe',
  'magnify.exe',
  'narrator.exe',
  'displayswitch.exe',
  'atbroker.exe',
  'psexesvc.exe',
  'paexec.exe',
  'remcomsvc.exe',
  'csexecsvc.exe',
  // Linux
  'httpd',
  'apache2',
  'nginx',
  'php-fpm',
  'php-cgi',
  'lighttpd',
  'mysqld',
  'mariadbd',
  'postgres',
  'java',
  'node',
  'tomcat',
];

export function unusualParentDetectorWith(extraParents: readonly string[] = []): Detector {
  const hmi = new Set([...hmiProcessNames, ...extraParents.map((n) => n.toLowerCase())]);
  const servers = new Set(serverParents);
  return {
    id: ID,
    techniques: [T],
    detect(event: ExecEvent, state?: HostState): Finding[] {
      const v = viewOf(event, state);
      const parent = v.parent?.name;
      if (!parent) return [];
      const spec = interpreterOfProc(v.platform, v.proc);
      if (!isShell(spec)) return [];
      // php-fpm: pool processes are named "php-fpm: pool www" on Linux.
      const pname = parent.replace(/:.*$/, '').replace(/[0-9.]+$/, (m) => (parent.startsWith('php') ? '' : m));
      const kind = hmi.has(parent)
        ? 'HMI/SCADA software'
        : servers.has(parent) || servers.has(pname)
          ? 'a service or server'
          : undefined;
      if (!kind) return [];
      return [
        {
          technique: T,
          detector: ID,
          severity: 'high',
          reason: `shell ${v.proc.name} started by ${kind} (${parent}): ${clip(v.proc.commandLine || v.proc.name)}`,
        },
      ];
    },
  };
}

export const unusualParentDetector: Detector = unusualParentDetectorWith();
