import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, test } from 'node:test';

import { commandLine, quote, shellKind, terminalCommand } from '../../src/shell';

const NASTY = ["it's", 'two words', 'dollar $HOME', 'back`tick`', 'semi;colon', 'star*',
  'quote"double', 'back\\slash', 'new\nline', '', '-m', 'ü-ñ', "'", '!bang'];

describe('shellKind', () => {
  test('names the shell family from VS Code\'s env.shell', () => {
    assert.equal(shellKind('/bin/bash', 'linux'), 'posix');
    assert.equal(shellKind('/usr/bin/zsh', 'darwin'), 'posix');
    assert.equal(shellKind('/opt/homebrew/bin/fish', 'darwin'), 'fish');
    assert.equal(shellKind('C:\\Program Files\\PowerShell\\7\\pwsh.exe', 'win32'), 'pwsh');
    assert.equal(shellKind('C:\\WINDOWS\\System32\\WindowsPowerShell\\v1.0\\powershell.exe',
      'win32'), 'pwsh');
    assert.equal(shellKind('C:\\WINDOWS\\System32\\cmd.exe', 'win32'), 'cmd');
    assert.equal(shellKind('C:\\Program Files\\Git\\bin\\bash.exe', 'win32'), 'posix');
    assert.equal(shellKind(undefined, 'win32'), 'pwsh');
    assert.equal(shellKind('', 'linux'), 'posix');
  });
});

describe('quote', () => {
  test('leaves plain words alone', () => {
    for (const kind of ['posix', 'fish', 'pwsh', 'cmd'] as const) {
      assert.equal(quote('-m', kind), '-m');
      assert.equal(quote('inventory.report', kind), 'inventory.report');
    }
    assert.equal(quote('/usr/bin/python3', 'posix'), '/usr/bin/python3');
    assert.equal(quote('C:\\Python312\\python.exe', 'pwsh'), 'C:\\Python312\\python.exe');
  });

  test('posix: bash reads every quoted word back exactly', () => {
    const line = `printf '%s\\0' ${NASTY.map((a) => quote(a, 'posix')).join(' ')}`;
    const out = execFileSync('bash', ['-c', line], { encoding: 'utf8' });
    assert.deepEqual(out.split('\0').slice(0, -1), NASTY);
  });

  test('posix: sh (dash) reads them back too', () => {
    const line = `printf '%s\\0' ${NASTY.map((a) => quote(a, 'posix')).join(' ')}`;
    const out = execFileSync('sh', ['-c', line], { encoding: 'utf8' });
    assert.deepEqual(out.split('\0').slice(0, -1), NASTY);
  });

  test('fish: backslash and single quote are escaped inside single quotes', () => {
    assert.equal(quote("it's", 'fish'), "'it\\'s'");
    assert.equal(quote('a\\b c', 'fish'), "'a\\\\b c'");
    assert.equal(quote('$HOME', 'fish'), "'$HOME'");
  });

  test('pwsh: single quotes, quotes doubled (typographic ones too)', () => {
    assert.equal(quote('C:\\My Projects\\app', 'pwsh'), "'C:\\My Projects\\app'");
    assert.equal(quote("O'Brien", 'pwsh'), "'O''Brien'");
    assert.equal(quote('O\u2019Brien x', 'pwsh'), "'O\u2019\u2019Brien x'");
    assert.equal(quote('$env:PATH', 'pwsh'), "'$env:PATH'");
  });

  test('cmd: double quotes', () => {
    assert.equal(quote('C:\\My Projects\\app', 'cmd'), '"C:\\My Projects\\app"');
    assert.equal(quote('a&b', 'cmd'), '"a&b"');
  });
});

describe('terminalCommand', () => {
  const invocation = { cwd: '/home/me/My Project', argv: ['/home/me/.venv/bin/python', '-m',
    'inventory.report'] };

  test('posix: cd, then run only if that worked', () => {
    assert.equal(terminalCommand(invocation, 'posix'),
      "cd '/home/me/My Project' && /home/me/.venv/bin/python -m inventory.report");
  });

  test('fish', () => {
    assert.equal(terminalCommand(invocation, 'fish'),
      "cd '/home/me/My Project'; and /home/me/.venv/bin/python -m inventory.report");
  });

  test('pwsh: Set-Location stops the line on failure; & calls the quoted program', () => {
    const win = { cwd: 'C:\\Users\\me\\My Project', argv: ['C:\\Program Files\\Python312\\python.exe',
      '-m', 'inventory.report'] };
    assert.equal(terminalCommand(win, 'pwsh'),
      "Set-Location -LiteralPath 'C:\\Users\\me\\My Project' -ErrorAction Stop; " +
      "& 'C:\\Program Files\\Python312\\python.exe' -m inventory.report");
  });

  test('cmd: cd /d changes drive too', () => {
    const win = { cwd: 'D:\\work\\app', argv: ['C:\\Python312\\python.exe', '-m', 'app'] };
    assert.equal(terminalCommand(win, 'cmd'),
      'cd /d D:\\work\\app && C:\\Python312\\python.exe -m app');
  });

  test('posix: the line really runs the program from the folder (bash)', () => {
    const line = terminalCommand({ cwd: '/tmp', argv: ['sh', '-c', 'pwd; printf "%s|" "$@"',
      'x', "it's", 'a b'] }, 'posix');
    assert.equal(execFileSync('bash', ['-c', line], { encoding: 'utf8', cwd: '/' }),
      "/tmp\nit's|a b|");
  });

  test('commandLine prefixes & only for PowerShell', () => {
    assert.equal(commandLine(['python', '-m', 'a'], 'pwsh'), '& python -m a');
    assert.equal(commandLine(['python', '-m', 'a'], 'cmd'), 'python -m a');
  });
});
