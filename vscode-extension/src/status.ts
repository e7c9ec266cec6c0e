/**
 * The status-bar item: "dashm: <module>" for the active Python file (click: what can be done
 * with it; hover: the command line and the interpreter that runs it), "dashm: not a module" with
 * the reason, or a warning when the server is not running. `dashm.statusBar` false (or
 * `dashm.enable` false for the file's folder) hides it.
 */

import * as vscode from 'vscode';

import { SHOW_LOGS, SHOW_MENU } from './commands';
import { isRunnable } from './invocation';
import type { DashmServer } from './server';
import { SECTION } from './settings';

const DELAY_MS = 150;

export class ModuleStatus implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('dashm.module',
    vscode.StatusBarAlignment.Right, 100);
  private readonly disposables: vscode.Disposable[] = [this.item];
  private readonly venvs = vscode.workspace.createFileSystemWatcher(
    '**/{.venv,venv,pyvenv.cfg}', false, true, false);
  private timer: NodeJS.Timeout | undefined;
  private generation = 0;

  constructor(private readonly server: DashmServer) {
    this.item.name = 'dashm: module name';
    const later = () => this.schedule();
    this.disposables.push(
      vscode.window.onDidChangeActiveTextEditor(later),
      server.onDidChangeState(later),
      vscode.workspace.onDidSaveTextDocument(later), // pyproject.toml, roots, new __init__.py
      vscode.workspace.onDidCreateFiles(later),
      vscode.workspace.onDidDeleteFiles(later),
      vscode.workspace.onDidRenameFiles(later),
      // A virtual environment made or removed (the interpreter in the tooltip may change).
      this.venvs,
      this.venvs.onDidCreate(later),
      this.venvs.onDidDelete(later),
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (event.affectsConfiguration(`${SECTION}.statusBar`) ||
          event.affectsConfiguration(`${SECTION}.enable`)) {
          later();
        }
      }),
    );
    this.schedule();
  }

  private schedule(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.update(), DELAY_MS);
  }

  private async update(): Promise<void> {
    const generation = ++this.generation;
    const document = vscode.window.activeTextEditor?.document;
    if (!document || document.languageId !== 'python' || document.uri.scheme !== 'file') {
      this.item.hide();
      return;
    }
    const config = vscode.workspace.getConfiguration(SECTION, document.uri);
    if (!config.get<boolean>('statusBar', true) || !config.get<boolean>('enable', true)) {
      this.item.hide();
      return;
    }
    if (this.server.isStarting) {
      this.show('$(loading~spin) dashm', 'The dashm server is starting', SHOW_LOGS,
        'dashm server starting');
      return;
    }
    if (!this.server.running) {
      this.show('$(warning) dashm', 'The dashm server is not running: click for its logs',
        SHOW_LOGS, 'dashm server not running');
      return;
    }
    try {
      const invocation = await this.server.invocation(document.uri);
      if (generation !== this.generation) {
        return; // the user moved on while the server answered
      }
      const server = this.server.interpreter;
      const serverLine = server ? `dashm server: \`${server.path}\` (${server.source})` : '';
      if (isRunnable(invocation)) {
        const tooltip = new vscode.MarkdownString([
          `Run as \`${invocation.argv.join(' ')}\` from \`${invocation.cwd}\``,
          `Interpreter: \`${invocation.argv[0]}\``,
          serverLine,
          'Click for Run, Debug, Copy',
        ].filter(Boolean).join('\n\n'));
        this.show(`$(symbol-namespace) dashm: ${invocation.module}`, tooltip, SHOW_MENU,
          `dashm module ${invocation.module}`);
      } else {
        const tooltip = new vscode.MarkdownString([
          invocation.reason ?? 'cannot run as a module', serverLine,
        ].filter(Boolean).join('\n\n'));
        this.show('$(circle-slash) dashm: not a module', tooltip, SHOW_MENU,
          'dashm: not runnable as a module');
      }
    } catch {
      if (generation === this.generation) {
        this.item.hide(); // outside the workspace folders, or the server went away
      }
    }
  }

  private show(text: string, tooltip: string | vscode.MarkdownString, command: string,
    label: string): void {
    this.item.text = text;
    this.item.tooltip = tooltip;
    this.item.command = command;
    this.item.accessibilityInformation = { label };
    this.item.show();
  }

  dispose(): void {
    clearTimeout(this.timer);
    vscode.Disposable.from(...this.disposables).dispose();
  }
}
