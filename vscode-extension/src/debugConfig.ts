/**
 * Debug configurations for the Python debugger (debugpy): a `module` launch from the
 * invocation's folder, and the dynamic "Python: Current File as Module".
 *
 * Pure (no `vscode` import), so the unit tests can load it.
 */

import { programArgs, type Runnable } from './invocation';

/** Debug types of the Python debugger: `debugpy` (ms-python.debugpy), `python` (older). */
export const DEBUG_TYPES = ['debugpy', 'python'] as const;

export const CURRENT_FILE_NAME = 'Python: Current File as Module';

export interface Configuration {
  type: string;
  request: 'launch';
  name: string;
  module: string;
  cwd: string;
  [key: string]: unknown;
}

/** The debug type to launch with, from the installed extensions' `contributes.debuggers`. */
export function debuggerType(extensions: readonly { packageJSON?: unknown }[]
): string | undefined {
  const types = new Set<string>();
  for (const extension of extensions) {
    const json = extension.packageJSON as
      { contributes?: { debuggers?: { type?: unknown }[] } } | undefined;
    for (const debuggerEntry of json?.contributes?.debuggers ?? []) {
      if (typeof debuggerEntry.type === 'string') {
        types.add(debuggerEntry.type);
      }
    }
  }
  return DEBUG_TYPES.find((t) => types.has(t));
}

/** A `module` launch of the invocation, with its interpreter, folder and arguments. */
export function debugConfiguration(invocation: Runnable, type: string): Configuration {
  return {
    type,
    request: 'launch',
    name: `Python: ${invocation.module} (as module)`,
    module: invocation.module,
    cwd: invocation.cwd,
    python: invocation.argv[0],
    args: programArgs(invocation),
    console: 'integratedTerminal',
    justMyCode: true,
  };
}

/** "Python: Current File as Module": the module and folder come from dashm's commands. */
export function currentFileConfiguration(type: string): Configuration {
  return {
    type,
    request: 'launch',
    name: CURRENT_FILE_NAME,
    module: '${command:dashm.currentModule}',
    cwd: '${command:dashm.currentModuleCwd}',
    console: 'integratedTerminal',
    justMyCode: true,
  };
}
