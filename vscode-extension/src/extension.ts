/**
 * Activation: one log channel, the interpreter choice, the language client, the commands, the
 * debug configurations and the status-bar item. Activates on Python files, pyproject.toml and
 * the commands (package.json).
 */

import * as vscode from 'vscode';

import { Commands, ModuleTerminals, trackPackagesWithMain } from './commands';
import { registerDebugConfigurations } from './debug';
import { Interpreters } from './python';
import { DashmServer } from './server';
import { ModuleStatus } from './status';

let active: DashmServer | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const log = vscode.window.createOutputChannel('dashm', { log: true });
  const interpreters = new Interpreters(log);
  const terminals = new ModuleTerminals();
  // The client's own handlers for the server's run/debug commands call back into these.
  let commands: Commands | undefined;
  const server = new DashmServer(context, log, interpreters, {
    run: (invocation) => commands!.run(invocation),
    debug: (invocation) => commands!.debug(invocation),
  });
  commands = new Commands(server, terminals, log);
  context.subscriptions.push(
    log, interpreters, terminals, server,
    commands.register(),
    registerDebugConfigurations(),
    trackPackagesWithMain(),
    new ModuleStatus(server),
  );
  active = server;
  await server.start();
}

/** Shuts the server down cleanly (VS Code waits for this); the rest is in subscriptions. */
export function deactivate(): Promise<void> | undefined {
  return active?.stop();
}
