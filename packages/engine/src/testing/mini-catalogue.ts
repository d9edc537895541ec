import type { Catalogue } from '@execguard/schema';

/** A small catalogue for unit tests: enough of each kind to exercise every fact. */
export const miniCatalogue: Catalogue = {
  version: 'test',
  interpreters: [
    {
      id: 'bash',
      platform: 'linux',
      names: ['bash', 'sh', 'dash'],
      inlineFlags: ['-c'],
      stdinFlags: ['-s'],
      valueFlags: ['-o', '-O'],
      scriptOperand: 'first-operand',
      clusteredShortFlags: true,
      techniques: ['T0807', 'T0853'],
      description: 'POSIX shells',
    },
    {
      id: 'python',
      platform: 'any',
      names: ['python', 'python3', 'python.exe'],
      namePatterns: ['^python3\\.[0-9]+$'],
      inlineFlags: ['-c'],
      stdinFlags: ['-'],
      valueFlags: ['-m', '-W', '-X'],
      scriptOperand: 'first-operand',
      clusteredShortFlags: true,
      techniques: ['T0853'],
      description: 'Python',
    },
    {
      id: 'powershell',
      platform: 'windows',
      names: ['powershell.exe', 'pwsh.exe'],
      inlineFlags: ['-Command', '-EncodedCommand', '-c', '-e', '-ec'],
      scriptFlags: ['-File'],
      valueFlags: ['-ExecutionPolicy', '-WindowStyle'],
      stdinFlags: ['-'],
      scriptOperand: 'first-operand',
      caseInsensitiveFlags: true,
      flagPrefixes: true,
      techniques: ['T0807', 'T0853'],
      description: 'PowerShell',
    },
    {
      id: 'cmd',
      platform: 'windows',
      names: ['cmd.exe'],
      inlineFlags: ['/c', '/k', '/r'],
      scriptOperand: 'none',
      caseInsensitiveFlags: true,
      techniques: ['T0807'],
      description: 'cmd',
    },
  ],
  proxies: [
    {
      name: 'rundll32.exe',
      platform: 'windows',
      directories: ['c:/windows/system32', 'c:/windows/syswow64'],
      patterns: [
        {
          id: 'rundll32-javascript',
          args: 'javascript:',
          technique: 'T0894',
          category: 'script',
          description: 'script via mshtml',
        },
      ],
      sources: ['lolbas'],
    },
    {
      name: 'find',
      platform: 'linux',
      patterns: [
        {
          id: 'find-exec',
          args: '(^|\\s)-(exec|execdir|ok|okdir)\\s',
          technique: 'T0894',
          category: 'execute',
          description: 'runs a command',
        },
      ],
      sources: ['gtfobins'],
    },
  ],
  systemBinaries: [
    { name: 'svchost.exe', platform: 'windows', directories: ['c:/windows/system32', 'c:/windows/syswow64'] },
    { name: 'sshd', platform: 'linux', directories: ['/usr/sbin'] },
  ],
  loaders: ['^ld-linux.*\\.so(\\.[0-9]+)*$', '^ld\\.so$'],
  userWritableLocations: [
    { platform: 'linux', pattern: '^/(tmp|var/tmp|dev/shm)/', kind: 'temp' },
    { platform: 'linux', pattern: '^/home/[^/]+/', kind: 'user-profile' },
    { platform: 'windows', pattern: '^c:/users/[^/]+/(downloads|appdata/local/temp)/', kind: 'download' },
  ],
};
