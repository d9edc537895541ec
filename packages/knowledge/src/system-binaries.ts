/**
 * Programs whose names malware borrows (T0849 Masquerading), with the only directories the genuine
 * binaries ship in. A program with one of these names anywhere else is a masquerade (spec §3).
 * Both spellings of merged-/usr directories are listed: the kernel reports /usr/bin on Debian 12,
 * older systems and some tools report /bin.
 */
import type { SystemBinarySpec } from '@execguard/schema';

const S32 = 'c:/windows/system32';
const WOW = 'c:/windows/syswow64';
const SYS = [S32, WOW];

const windows: Record<string, readonly string[]> = {
  // Session and security core: 64-bit only.
  'smss.exe': [S32],
  'csrss.exe': [S32],
  'wininit.exe': [S32],
  'winlogon.exe': [S32],
  'services.exe': [S32],
  'lsass.exe': [S32],
  'lsaiso.exe': [S32],
  'lsm.exe': [S32],
  'logonui.exe': [S32],
  'consent.exe': [S32],
  'fontdrvhost.exe': [S32],
  'dwm.exe': [S32],
  'sihost.exe': [S32],
  'taskhostw.exe': [S32],
  'taskhost.exe': [S32],
  'taskhostex.exe': [S32],
  'runtimebroker.exe': [S32],
  'spoolsv.exe': [S32],
  'audiodg.exe': [S32],
  'searchindexer.exe': [S32],
  'smartscreen.exe': [S32],
  'conhost.exe': [S32],
  // Also present as 32-bit copies.
  'svchost.exe': SYS,
  'dllhost.exe': SYS,
  'rundll32.exe': SYS,
  'regsvr32.exe': SYS,
  'userinit.exe': SYS,
  'ctfmon.exe': SYS,
  'taskmgr.exe': SYS,
  'cmd.exe': SYS,
  'mshta.exe': SYS,
  'wscript.exe': SYS,
  'cscript.exe': SYS,
  'msiexec.exe': SYS,
  'schtasks.exe': SYS,
  'net.exe': SYS,
  'net1.exe': SYS,
  'sc.exe': SYS,
  'werfault.exe': SYS,
  'mmc.exe': SYS,
  'certutil.exe': SYS,
  'bitsadmin.exe': SYS,
  'searchprotocolhost.exe': SYS,
  'wuauclt.exe': [S32],
  'wmiprvse.exe': [`${S32}/wbem`, `${WOW}/wbem`],
  'wmic.exe': [`${S32}/wbem`, `${WOW}/wbem`],
  'powershell.exe': [`${S32}/windowspowershell/v1.0`, `${WOW}/windowspowershell/v1.0`],
  'explorer.exe': ['c:/windows', WOW],
  'notepad.exe': ['c:/windows', ...SYS],
  'regedit.exe': ['c:/windows', WOW],
  'hh.exe': ['c:/windows', WOW],
};

const BIN = ['/usr/bin', '/bin'];
const SBIN = ['/usr/sbin', '/sbin'];
const SYSTEMD = ['/usr/lib/systemd', '/lib/systemd'];

const linux: Record<string, readonly string[]> = {
  systemd: [...SYSTEMD, ...BIN],
  init: [...SBIN, ...SYSTEMD],
  'systemd-journald': SYSTEMD,
  'systemd-logind': SYSTEMD,
  'systemd-udevd': SYSTEMD,
  'systemd-networkd': SYSTEMD,
  'systemd-resolved': SYSTEMD,
  'systemd-timesyncd': SYSTEMD,
  'systemd-executor': SYSTEMD,
  sshd: SBIN,
  cron: SBIN,
  crond: SBIN,
  atd: SBIN,
  rsyslogd: SBIN,
  auditd: SBIN,
  agetty: SBIN,
  chronyd: SBIN,
  ntpd: SBIN,
  snmpd: SBIN,
  nginx: SBIN,
  apache2: SBIN,
  ip: [...SBIN, ...BIN],
  'dbus-daemon': BIN,
  dockerd: BIN,
  containerd: BIN,
  bash: BIN,
  sh: BIN,
  dash: BIN,
  sudo: BIN,
  su: BIN,
  login: BIN,
  passwd: BIN,
  ps: BIN,
  ls: BIN,
  cat: BIN,
  top: BIN,
  ss: BIN,
  netstat: BIN,
  python3: BIN,
  perl: BIN,
  curl: BIN,
  wget: BIN,
  ssh: BIN,
};

const list = (platform: 'windows' | 'linux', table: Record<string, readonly string[]>): SystemBinarySpec[] =>
  Object.entries(table).map(([name, directories]) => ({ name, platform, directories }));

export const systemBinaries: readonly SystemBinarySpec[] = [...list('windows', windows), ...list('linux', linux)];
