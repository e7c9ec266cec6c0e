/**
 * The server's answer to `dashm.moduleInvocation`: how to run one file as a module.
 *
 * Pure (no `vscode` import), so the unit tests can load it.
 */

/** `{module, cwd, argv, reason, name}` as the server sends it. */
export interface Invocation {
  module: string | null;
  cwd: string | null;
  /** `[python, "-m", module, ...]`; empty when the file cannot run as a module. */
  argv: string[];
  /** Why the file cannot run as a module (null when it can). */
  reason: string | null;
  /**
   * The file's dotted module name even when it cannot run (a package's `__init__.py` without
   * `__main__.py`: `utils.loggers`); null outside any import root. Older servers omit it.
   */
  name?: string | null;
}

/** An invocation that can be run: a module, a folder to run it from, and a command line. */
export interface Runnable extends Invocation {
  module: string;
  cwd: string;
}

/** The invocation in `value`, or undefined when it does not have the server's shape. */
export function asInvocation(value: unknown): Invocation | undefined {
  if (typeof value !== 'object' || value === null) {
    return undefined;
  }
  const v = value as Record<string, unknown>;
  const text = (x: unknown): x is string | null | undefined =>
    x === null || x === undefined || typeof x === 'string';
  if (!text(v.module) || !text(v.cwd) || !text(v.reason) || !text(v.name)) {
    return undefined;
  }
  const argv = v.argv ?? [];
  if (!Array.isArray(argv) || !argv.every((a) => typeof a === 'string')) {
    return undefined;
  }
  return {
    module: v.module ?? null,
    cwd: v.cwd ?? null,
    argv: argv as string[],
    reason: v.reason ?? null,
    ...(v.name !== undefined ? { name: v.name } : {}),
  };
}

/** The dotted name to copy: the file's module name, else the module that runs it. */
export function moduleName(invocation: Invocation): string | null {
  return invocation.name || invocation.module || null;
}

export function isRunnable(invocation: Invocation): invocation is Runnable {
  return !invocation.reason && !!invocation.module && !!invocation.cwd &&
    invocation.argv.length > 0;
}

/** What to tell the user when `invocation` cannot be run. */
export function notRunnableMessage(invocation: Invocation, file: string): string {
  return invocation.reason
    ? `dashm: ${file} cannot run as a module: ${invocation.reason}`
    : `dashm: ${file} cannot run as a module.`;
}

/** The program's arguments in the argv (what follows `-m module`). */
export function programArgs(invocation: Runnable): string[] {
  const at = invocation.argv.indexOf('-m');
  return at >= 0 ? invocation.argv.slice(at + 2) : [];
}
