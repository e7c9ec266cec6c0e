/**
 * Quoting a command line for the shell of the user's terminal (bash, zsh, fish, PowerShell,
 * cmd) and the line that runs an invocation from its folder.
 *
 * Pure (no `vscode` import), so the unit tests can load it.
 */

import * as path from 'path';

export type ShellKind = 'posix' | 'fish' | 'pwsh' | 'cmd';

/** Which quoting rules the shell at `shellPath` follows (VS Code's `env.shell`). */
export function shellKind(shellPath: string | undefined, platform: string): ShellKind {
  const name = path.win32.basename(path.posix.basename(shellPath ?? '')).toLowerCase()
    .replace(/\.exe$/, '');
  if (name === 'fish') {
    return 'fish';
  }
  if (name === 'pwsh' || name === 'powershell' || name.startsWith('pwsh-')) {
    return 'pwsh';
  }
  if (name === 'cmd') {
    return 'cmd';
  }
  if (name === '') {
    return platform === 'win32' ? 'pwsh' : 'posix';
  }
  return 'posix'; // bash, zsh, sh, dash, ksh, Git Bash, WSL bash
}

const POSIX_SAFE = /^[A-Za-z0-9_@%+=:,./-]+$/;
const WINDOWS_SAFE = /^[A-Za-z0-9_:./\\-]+$/;

/** `arg` as one word for `kind`, quoted only when it needs to be. */
export function quote(arg: string, kind: ShellKind): string {
  switch (kind) {
    case 'posix':
      return POSIX_SAFE.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
    case 'fish': // inside '...' fish treats \' and \\ as escapes
      return POSIX_SAFE.test(arg) ? arg : `'${arg.replace(/[\\']/g, '\\$&')}'`;
    case 'pwsh': // '...' is literal; a quote (any of PowerShell's four) is doubled
      return WINDOWS_SAFE.test(arg) ? arg : `'${arg.replace(/['\u2018\u2019\u201a\u201b]/g, '$&$&')}'`;
    case 'cmd': // "..." ("" for a quote); % and ! cannot be escaped on cmd's command line
      return WINDOWS_SAFE.test(arg) ? arg : `"${arg.replace(/"/g, '""')}"`;
  }
}

/** `argv` as a command for `kind` (PowerShell needs `&` to call a quoted program path). */
export function commandLine(argv: readonly string[], kind: ShellKind): string {
  const words = argv.map((a) => quote(a, kind)).join(' ');
  return kind === 'pwsh' ? `& ${words}` : words;
}

/** The line typed into the terminal: change to `cwd`, then run `argv` only if that worked. */
export function terminalCommand(invocation: { cwd: string; argv: readonly string[] },
  kind: ShellKind): string {
  const cwd = quote(invocation.cwd, kind);
  const run = commandLine(invocation.argv, kind);
  switch (kind) {
    case 'posix':
      return `cd ${cwd} && ${run}`;
    case 'fish':
      return `cd ${cwd}; and ${run}`;
    case 'pwsh':
      return `Set-Location -LiteralPath ${cwd} -ErrorAction Stop; ${run}`;
    case 'cmd':
      return `cd /d ${cwd} && ${run}`;
  }
}
