import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { InterpreterSpec } from '@execguard/schema';
import { argumentString, parseInterpreterArgs, resolveScriptPath } from './args.js';
import { miniCatalogue } from './testing/mini-catalogue.js';

const spec = (id: string) => miniCatalogue.interpreters.find((i) => i.id === id) as InterpreterSpec;
const parse = (id: string, ...args: string[]) =>
  parseInterpreterArgs(spec(id), args, ['powershell', 'cmd'].includes(id) ? 'windows' : 'linux');

test('POSIX shells: -c, clustered -xc and -ec are inline; a value flag ends the cluster', () => {
  assert.equal(parse('bash', 'bash', '-c', 'id').inline, true);
  assert.equal(parse('bash', 'bash', '-xc', 'id').inline, true);
  assert.equal(parse('bash', 'sh', '-ec', 'id').inline, true);
  assert.equal(parse('bash', 'bash', '-x', 'run.sh').script, 'run.sh');
  assert.deepEqual(parse('bash', 'bash', '-o', 'posix', 'run.sh').script, 'run.sh');
  assert.equal(parse('bash', 'bash', '--', '-c').script, '-c');
  assert.equal(parse('bash', 'bash', '-s').stdinFlag, true);
  assert.equal(parse('bash', 'bash', '-xs').stdinFlag, true, 'stdin flag in a cluster');
  assert.equal(parse('bash', 'bash').script, undefined);
});

test('python: -c attached or clustered is inline; -m consumes its module; the first operand is the script', () => {
  assert.equal(parse('python', 'python3', '-cprint(1)').inline, true);
  assert.equal(parse('python', 'python3', '-Bc', 'print(1)').inline, true);
  assert.equal(parse('python', 'python3', '-Wonce', 'x.py').inline, false, '-W takes a value: "once" is not a cluster');
  assert.equal(parse('python', 'python3', '-Wonce', 'x.py').script, 'x.py');
  assert.equal(parse('python', 'python3', '-m', 'http.server').script, undefined, 'a module is not a script file');
  assert.equal(parse('python', 'python3', '-u', 'tool.py', '-c', 'x').script, 'tool.py', 'flags after the script belong to it');
  assert.equal(parse('python', 'python3', '-').stdinFlag, true);
});

test('PowerShell: case-insensitive flags and unambiguous prefixes', () => {
  for (const f of ['-Command', '-command', '-COMMAND', '-com', '-enc', '-EncodedCommand', '-ec', '-e', '-c']) {
    assert.equal(parse('powershell', 'powershell.exe', '-NoProfile', f, 'x').inline, true, f);
  }
  assert.equal(
    parse('powershell', 'powershell.exe', '-ExecutionPolicy', 'Bypass', '-File', 'C:\\s\\a.ps1').script,
    'C:\\s\\a.ps1',
  );
  assert.equal(parse('powershell', 'powershell.exe', '-NoProfile').inline, false);
  assert.equal(
    parse('powershell', 'powershell.exe', '-Ex', 'Bypass', 'C:\\s\\b.ps1').script,
    'C:\\s\\b.ps1',
    'value flags take prefixes too',
  );
  assert.equal(parse('powershell', 'powershell.exe', '-ConfigurationName', 'x').inline, false, 'not -c with a value attached');
  assert.equal(parse('powershell', 'powershell.exe', '-Command=Get-Date').inline, true, 'flag=value');
});

test('cmd.exe: /c and /k, attached too; no script operand', () => {
  assert.equal(parse('cmd', 'cmd.exe', '/c', 'dir').inline, true);
  assert.equal(parse('cmd', 'cmd.exe', '/C', 'dir').inline, true);
  assert.equal(parse('cmd', 'cmd.exe', '/cdir').inline, true);
  assert.equal(parse('cmd', 'cmd.exe', '/q', 'x.bat').script, undefined);
  assert.equal(
    parse('cmd', 'cmd.exe', 'x', '/c', 'dir').inline,
    true,
    'an operand does not end parsing when there is no script operand',
  );
});

test('argument string from args, or from the command line without its program', () => {
  assert.equal(argumentString(['find', '.', '-exec', 'sh', ';'], undefined), '. -exec sh ;');
  assert.equal(argumentString(undefined, '"C:\\Program Files\\x.exe" /a /b'), '/a /b');
  assert.equal(argumentString(undefined, 'rundll32.exe javascript:x'), 'javascript:x');
  assert.equal(argumentString(['solo'], 'ignored'), '');
});

test('script paths resolve against the working directory', () => {
  assert.equal(resolveScriptPath('x.sh', '/home/op'), '/home/op/x.sh');
  assert.equal(resolveScriptPath('../bin/./x.sh', '/opt/app/run'), '/opt/app/bin/x.sh');
  assert.equal(resolveScriptPath('/abs/x.sh', '/ignored'), '/abs/x.sh');
  assert.equal(resolveScriptPath('s\\a.ps1', 'C:\\Tools'), 'C:/Tools/s/a.ps1');
});
