/**
 * Debugging a file as a module with the Python debugger (debugpy), and the dynamic debug
 * configuration "Python: Current File as Module" for the Run and Debug view.
 */

import * as vscode from 'vscode';

import {
  currentFileConfiguration, DEBUG_TYPES, debuggerType, debugConfiguration,
} from './debugConfig';
import { type Invocation, isRunnable, notRunnableMessage } from './invocation';

const DEBUGGER_EXTENSION = 'ms-python.debugpy';

/** Starts a debugpy `module` launch of the invocation; says clearly what is missing if not. */
export async function debugInvocation(invocation: Invocation, file: string,
  run: (invocation: Invocation) => Promise<unknown>): Promise<boolean> {
  if (!isRunnable(invocation)) {
    void vscode.window.showWarningMessage(notRunnableMessage(invocation, file));
    return false;
  }
  const type = debuggerType(vscode.extensions.all);
  if (!type) {
    const choice = await vscode.window.showErrorMessage(
      `dashm: debugging ${invocation.module} needs the Python Debugger extension ` +
      `(${DEBUGGER_EXTENSION}), which is not installed.`,
      'Find Python Debugger', 'Run Without Debugging');
    if (choice === 'Find Python Debugger') {
      await vscode.commands.executeCommand('workbench.extensions.search', DEBUGGER_EXTENSION);
    } else if (choice === 'Run Without Debugging') {
      await run(invocation);
    }
    return false;
  }
  const folder = vscode.workspace.getWorkspaceFolder(vscode.Uri.file(invocation.cwd));
  return vscode.debug.startDebugging(folder, debugConfiguration(invocation, type));
}

/** "Python: Current File as Module" in the Run and Debug view's dynamic configurations. */
export function registerDebugConfigurations(): vscode.Disposable {
  return vscode.Disposable.from(...DEBUG_TYPES.map((type) =>
    vscode.debug.registerDebugConfigurationProvider(type, {
      provideDebugConfigurations: () =>
        // Offer it once, under the debugger that is actually installed.
        debuggerType(vscode.extensions.all) === type ? [currentFileConfiguration(type)] : [],
    }, vscode.DebugConfigurationProviderTriggerKind.Dynamic)));
}
