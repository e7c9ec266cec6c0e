/**
 * The palette and menu commands, and running invocations in a terminal.
 *
 * Palette ids differ from the server's `dashm.runModule` / `dashm.debugModule`, which the
 * language client registers itself (server.ts intercepts those).
 */

import * as path from 'path';
import * as vscode from 'vscode';

import { debugInvocation } from './debug';
import {
  type Invocation, isRunnable, moduleName, notRunnableMessage, type Runnable,
} from './invocation';
import { type DashmServer, ReportedError } from './server';
import { shellKind, terminalCommand } from './shell';

export const RUN_FILE = 'dashm.runFileAsModule';
export const DEBUG_FILE = 'dashm.debugFileAsModule';
export const RUN_PACKAGE = 'dashm.runPackageAsModule';
export const COPY_MODULE = 'dashm.copyModuleName';
export const RESTART = 'dashm.restartServer';
export const SHOW_LOGS = 'dashm.showLogs';
export const SHOW_MENU = 'dashm.showMenu';
export const CURRENT_MODULE = 'dashm.currentModule';
export const CURRENT_MODULE_CWD = 'dashm.currentModuleCwd';
export const FIX_ALL_IN_WORKSPACE = 'dashm.fixAllInWorkspace';

/**
 * One terminal per module (and folder it runs from), reused while it is open, its tab named
 * "dashm: <module>" (plus the folder when two projects have a module of the same name).
 */
export class ModuleTerminals implements vscode.Disposable {
  private readonly terminals = new Map<string, vscode.Terminal>();
  private readonly closed: vscode.Disposable;

  constructor() {
    this.closed = vscode.window.onDidCloseTerminal((terminal) => {
      for (const [key, open] of this.terminals) {
        if (open === terminal) {
          this.terminals.delete(key);
        }
      }
    });
  }

  run(invocation: Runnable): void {
    const key = `${invocation.cwd}\0${invocation.module}`;
    let terminal = this.terminals.get(key);
    if (!terminal || terminal.exitStatus !== undefined) {
      let name = `dashm: ${invocation.module}`;
      if ([...this.terminals.values()].some((open) => open.name === name)) {
        name += ` (${path.basename(invocation.cwd)})`;
      }
      terminal = vscode.window.createTerminal({
        name,
        cwd: invocation.cwd,
        // `python -m` must put the folder it runs from on sys.path.
        env: { PYTHONSAFEPATH: null },
      });
      this.terminals.set(key, terminal);
    }
    terminal.show(true);
    terminal.sendText(terminalCommand(invocation, shellKind(vscode.env.shell, process.platform)));
  }

  dispose(): void {
    this.closed.dispose();
  }
}

export class Commands {
  constructor(
    private readonly server: DashmServer,
    private readonly terminals: ModuleTerminals,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  register(): vscode.Disposable {
    const command = (id: string, handler: (...args: unknown[]) => unknown) =>
      vscode.commands.registerCommand(id, async (...args: unknown[]) => {
        try {
          return await handler(...args);
        } catch (error) {
          this.log.error(`${id}: ${error}`);
          if (error instanceof ReportedError) {
            return undefined; // its notification was shown when it happened: not a second one
          }
          void vscode.window.showErrorMessage(`dashm: ${errorText(error)}`, 'Show Logs')
            .then((choice) => choice && this.log.show());
          return undefined;
        }
      });
    return vscode.Disposable.from(
      command(RUN_FILE, (arg) => this.runFile(arg)),
      command(DEBUG_FILE, (arg) => this.debugFile(arg)),
      command(RUN_PACKAGE, (arg) => this.runPackage(arg)),
      command(COPY_MODULE, (arg) => this.copyModuleName(arg)),
      command(RESTART, () => this.server.restart()),
      command(SHOW_LOGS, () => this.log.show()),
      command(SHOW_MENU, () => this.showMenu()),
      command(CURRENT_MODULE, async () => (await this.current())?.module),
      command(CURRENT_MODULE_CWD, async () => (await this.current())?.cwd),
      command(FIX_ALL_IN_WORKSPACE, () => this.server.fixWorkspace()),
    );
  }

  /** Runs the invocation in its terminal, or says why it cannot run. */
  async run(invocation: Invocation, file?: string): Promise<boolean> {
    if (!isRunnable(invocation)) {
      void vscode.window.showWarningMessage(notRunnableMessage(invocation, file ?? 'this file'));
      return false;
    }
    this.log.info(`Run: (cd ${invocation.cwd}) ${invocation.argv.join(' ')}`);
    this.terminals.run(invocation);
    return true;
  }

  async debug(invocation: Invocation, file?: string): Promise<boolean> {
    return debugInvocation(invocation, file ?? 'this file', (inv) => this.run(inv, file));
  }

  private async runFile(arg: unknown): Promise<boolean> {
    const uri = await this.target(arg);
    return this.run(await this.server.invocation(uri), path.basename(uri.fsPath));
  }

  private async debugFile(arg: unknown): Promise<boolean> {
    const uri = await this.target(arg);
    return this.debug(await this.server.invocation(uri), path.basename(uri.fsPath));
  }

  private async runPackage(arg: unknown): Promise<boolean> {
    let folder = arg instanceof vscode.Uri ? arg : undefined;
    if (!folder) {
      const mains = await vscode.workspace.findFiles('**/__main__.py', EXCLUDED, 500);
      const picked = await vscode.window.showQuickPick(mains.map((main) => ({
        label: vscode.workspace.asRelativePath(vscode.Uri.joinPath(main, '..')),
        folder: vscode.Uri.joinPath(main, '..'),
      })), { placeHolder: 'Run which package as a module?' });
      if (!picked) {
        return false;
      }
      folder = picked.folder;
    }
    const main = vscode.Uri.joinPath(folder, '__main__.py');
    await saveIfDirty(main);
    return this.run(await this.server.invocation(main), path.basename(folder.fsPath));
  }

  private async copyModuleName(arg: unknown): Promise<string | undefined> {
    const uri = await this.target(arg);
    const invocation = await this.server.invocation(uri);
    const name = moduleName(invocation); // a package's __init__.py: the package's name
    if (!name) {
      void vscode.window.showWarningMessage(notRunnableMessage(invocation,
        path.basename(uri.fsPath)));
      return undefined;
    }
    await vscode.env.clipboard.writeText(name);
    void vscode.window.showInformationMessage(`Copied ${name}`);
    return name;
  }

  /** The status bar's menu: what can be done with the active file's module. */
  private async showMenu(): Promise<void> {
    const uri = await this.target(undefined);
    const invocation = await this.server.invocation(uri);
    const items: (vscode.QuickPickItem & { command: string })[] = [];
    if (isRunnable(invocation)) {
      items.push(
        { label: '$(run) Run as module', description: invocation.argv.join(' '), command: RUN_FILE },
        { label: '$(debug-alt) Debug as module', command: DEBUG_FILE },
        { label: '$(copy) Copy module name', description: invocation.module, command: COPY_MODULE },
      );
    } else {
      items.push({ label: '$(info) Why it cannot run as a module', detail: invocation.reason ?? '',
        command: '' });
      const name = moduleName(invocation);
      if (name) {
        items.push({ label: '$(copy) Copy module name', description: name, command: COPY_MODULE });
      }
    }
    items.push({ label: '$(output) Show logs', command: SHOW_LOGS },
      { label: '$(debug-restart) Restart server', command: RESTART });
    const picked = await vscode.window.showQuickPick(items, {
      placeHolder: invocation.module ? `python -m ${invocation.module}` : 'dashm',
    });
    if (picked?.command) {
      await vscode.commands.executeCommand(picked.command, uri);
    }
  }

  /** The active file's runnable invocation for `${command:dashm.currentModule}`, or undefined. */
  private async current(): Promise<Runnable | undefined> {
    const uri = await this.target(undefined);
    const invocation = await this.server.invocation(uri);
    if (!isRunnable(invocation)) {
      void vscode.window.showErrorMessage(notRunnableMessage(invocation,
        path.basename(uri.fsPath)));
      return undefined;
    }
    return invocation;
  }

  /** The file a command is about: its argument (menus pass one) or the active editor's. */
  private async target(arg: unknown): Promise<vscode.Uri> {
    const uri = arg instanceof vscode.Uri ? arg : vscode.window.activeTextEditor?.document.uri;
    if (!uri || uri.scheme !== 'file') {
      throw new Error('open a Python file (saved on disk) first');
    }
    await saveIfDirty(uri);
    return uri;
  }
}

const EXCLUDED = '**/{node_modules,.git,.venv,venv,.tox,.nox,__pycache__}/**';

/** Runs use the file on disk: save it first, as the Python extension's Run does. */
async function saveIfDirty(uri: vscode.Uri): Promise<void> {
  const document = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
  if (document?.isDirty) {
    await document.save();
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Keeps the context key `dashm.packagesWithMain` (folders holding a `__main__.py`) current,
 * for the Explorer's "Run Package as Module".
 */
export function trackPackagesWithMain(): vscode.Disposable {
  let timer: NodeJS.Timeout | undefined;
  const refresh = async () => {
    const mains = await vscode.workspace.findFiles('**/__main__.py', EXCLUDED, 5000);
    const folders: Record<string, true> = {};
    for (const main of mains) {
      folders[path.dirname(main.fsPath)] = true;
    }
    await vscode.commands.executeCommand('setContext', 'dashm.packagesWithMain', folders);
  };
  const schedule = () => {
    clearTimeout(timer);
    timer = setTimeout(() => void refresh(), 300);
  };
  const watcher = vscode.workspace.createFileSystemWatcher('**/__main__.py', false, true, false);
  watcher.onDidCreate(schedule);
  watcher.onDidDelete(schedule);
  schedule();
  return vscode.Disposable.from(watcher, vscode.workspace.onDidChangeWorkspaceFolders(schedule),
    { dispose: () => clearTimeout(timer) });
}
