/**
 * How the server process is started: which interpreter is good enough, and the command line
 * and environment of `<python> -m dashm serve` with the bundled libraries.
 *
 * Pure (no `vscode` import), so the unit tests can load it.
 */

import * as path from 'path';

/** The oldest Python the server (pygls 2) runs on. */
export const MIN_PYTHON: readonly [number, number] = [3, 10];

/** Prints what the extension needs to know about an interpreter, as one JSON line. */
export const PROBE = 'import json, sys; print(json.dumps({"executable": sys.executable, ' +
  '"version": list(sys.version_info[:3])}))';

export interface PythonInfo {
  executable: string;
  version: [number, number, number];
}

/** The probe's answer, or undefined when `stdout` is not one. */
export function parseProbe(stdout: string): PythonInfo | undefined {
  const lines = stdout.trim().split(/\r?\n/);
  try {
    const data = JSON.parse(lines[lines.length - 1]) as { executable?: unknown; version?: unknown };
    const version = data.version;
    if (!Array.isArray(version) || version.length !== 3 ||
      !version.every((n) => typeof n === 'number')) {
      return undefined;
    }
    return {
      executable: typeof data.executable === 'string' ? data.executable : '',
      version: version as [number, number, number],
    };
  } catch {
    return undefined;
  }
}

export function isTooOld(info: PythonInfo): boolean {
  const [major, minor] = info.version;
  return major < MIN_PYTHON[0] || (major === MIN_PYTHON[0] && minor < MIN_PYTHON[1]);
}

export function versionText(info: PythonInfo): string {
  return info.version.join('.');
}

export interface ServerProcess {
  command: string;
  args: string[];
  cwd: string;
  env: Record<string, string>;
}

/**
 * `<interpreter> [-P] -m dashm serve [--python <interpreter>]`, run from the extension's own
 * folder with the bundled libraries first on PYTHONPATH.
 *
 * - The working folder is never the user's workspace, and `-P` (Python 3.11+) keeps it off
 *   sys.path anyway: a workspace folder named `dashm` or `pygls` cannot replace the server.
 * - DASHM_BUNDLED_LIBS names the PYTHONPATH entry that is ours, so the server removes it when it
 *   asks the user's interpreter about the project's environment.
 * - `projectPython` (the Python extension's choice) is also the interpreter the server analyses
 *   the project with; without it the server uses `dashm.interpreter`, the workspace's `.venv`,
 *   or the interpreter it runs on.
 * - DASHM_DEBUGPY_PORT=5678 (for developing dashm; see .vscode/launch.json) runs the server
 *   under debugpy, listening on that port; the interpreter must have debugpy installed.
 */
export function serverProcess(interpreter: string, info: PythonInfo, extensionPath: string,
  baseEnv: Readonly<Record<string, string | undefined>>, projectPython?: string,
  delimiter: string = path.delimiter): ServerProcess {
  const debugPort = debugpyPort(baseEnv);
  const libs = bundledLibs(extensionPath);
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(baseEnv)) {
    if (value !== undefined) {
      env[key] = value;
    }
  }
  const inherited = (env.PYTHONPATH ?? '').split(delimiter).filter((p) => p !== '' && p !== libs);
  env.PYTHONPATH = [libs, ...inherited].join(delimiter);
  env.DASHM_BUNDLED_LIBS = libs;
  env.PYTHONUNBUFFERED = '1';
  const [major, minor] = info.version;
  const safePath = major > 3 || (major === 3 && minor >= 11);
  return {
    command: interpreter,
    args: [...(safePath ? ['-P'] : []),
      ...(debugPort ? ['-m', 'debugpy', '--listen', `127.0.0.1:${debugPort}`] : []),
      '-m', 'dashm', 'serve',
      ...(projectPython ? ['--python', projectPython] : [])],
    cwd: extensionPath,
    env,
  };
}

export function bundledLibs(extensionPath: string): string {
  return path.join(extensionPath, 'bundled', 'libs');
}

/** The port in DASHM_DEBUGPY_PORT, when it is one. */
export function debugpyPort(env: Readonly<Record<string, string | undefined>>): number | undefined {
  const port = Number(env.DASHM_DEBUGPY_PORT);
  return Number.isInteger(port) && port > 0 && port < 65536 ? port : undefined;
}
