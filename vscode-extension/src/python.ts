/**
 * Which interpreter runs the server: the Python extension's active environment when
 * ms-python.python is installed (optional: used through its API, never required), else the
 * `dashm.interpreter` setting, else `python3`. Also: probing that interpreter, and telling
 * when the choice changes.
 */

import { execFile } from 'child_process';
import * as os from 'os';
import * as vscode from 'vscode';

import { isTooOld, parseProbe, PROBE, type PythonInfo, versionText, MIN_PYTHON } from './launch';
import { interpreterPath, SECTION } from './settings';

const PYTHON_EXTENSION = 'ms-python.python';

export interface Interpreter {
  path: string;
  source: 'python extension' | 'dashm.interpreter' | 'default';
}

/** The parts of the Python extension's API (`@vscode/python-extension`) that dashm uses. */
interface PythonApi {
  environments: {
    getActiveEnvironmentPath(resource?: vscode.Uri): { path: string };
    resolveEnvironment(env: { path: string } | string):
      Promise<{ executable: { uri?: vscode.Uri } } | undefined>;
    onDidChangeActiveEnvironmentPath: vscode.Event<unknown>;
  };
}

export class Interpreters implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  /** Fires when the Python extension's environment or `dashm.interpreter` changes. */
  readonly onDidChange = this.changed.event;
  private readonly disposables: vscode.Disposable[] = [this.changed];
  private api: PythonApi | undefined;

  constructor(private readonly log: vscode.LogOutputChannel) {
    this.disposables.push(vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration(`${SECTION}.interpreter`)) {
        this.changed.fire();
      }
    }));
    this.disposables.push(vscode.extensions.onDidChange(() => {
      if (!this.api && vscode.extensions.getExtension(PYTHON_EXTENSION)) {
        this.changed.fire(); // the Python extension was just installed
      }
    }));
  }

  /** The interpreter to run the server with, and where the choice came from. */
  async choose(): Promise<Interpreter> {
    const folder = vscode.workspace.workspaceFolders?.[0];
    const fromExtension = await this.fromPythonExtension(folder?.uri);
    if (fromExtension) {
      return { path: fromExtension, source: 'python extension' };
    }
    const setting = interpreterPath(
      vscode.workspace.getConfiguration(SECTION, folder?.uri).get('interpreter'),
      { folder: folder?.uri.fsPath, home: os.homedir(), env: process.env });
    if (setting) {
      return { path: setting, source: 'dashm.interpreter' };
    }
    return { path: process.platform === 'win32' ? 'python' : 'python3', source: 'default' };
  }

  private async fromPythonExtension(resource: vscode.Uri | undefined
  ): Promise<string | undefined> {
    const extension = vscode.extensions.getExtension<PythonApi>(PYTHON_EXTENSION);
    if (!extension) {
      return undefined;
    }
    try {
      if (!this.api) {
        const api = extension.isActive ? extension.exports : await extension.activate();
        if (!api?.environments) {
          return undefined;
        }
        this.api = api;
        this.disposables.push(api.environments.onDidChangeActiveEnvironmentPath(
          () => this.changed.fire()));
      }
      const active = this.api.environments.getActiveEnvironmentPath(resource);
      const resolved = await this.api.environments.resolveEnvironment(active);
      return resolved?.executable.uri?.fsPath;
    } catch (error) {
      this.log.warn(`The Python extension did not say which interpreter is active: ${error}`);
      return undefined;
    }
  }

  dispose(): void {
    vscode.Disposable.from(...this.disposables).dispose();
  }
}

export type ProbeResult =
  | { ok: true; info: PythonInfo }
  | { ok: false; problem: string };

/** Runs the interpreter once (isolated, outside the workspace) to learn its version. */
export function probe(interpreter: Interpreter, cwd: string): Promise<ProbeResult> {
  return new Promise((resolve) => {
    execFile(interpreter.path, ['-I', '-c', PROBE], { cwd, timeout: 20_000 },
      (error, stdout, stderr) => {
        const where = interpreter.source === 'default'
          ? '' : ` (from ${interpreter.source === 'python extension'
            ? 'the Python extension' : 'the dashm.interpreter setting'})`;
        if (error && (error as NodeJS.ErrnoException).code === 'ENOENT') {
          resolve({
            ok: false, problem: `dashm cannot find the Python interpreter ` +
              `"${interpreter.path}"${where}. Install Python ${MIN_PYTHON.join('.')}+ or set ` +
              '"dashm.interpreter" to its path.',
          });
          return;
        }
        const info = error ? undefined : parseProbe(stdout);
        if (!info) {
          resolve({
            ok: false, problem: `dashm could not run the Python interpreter ` +
              `"${interpreter.path}"${where}: ${String(stderr || error?.message || stdout)
                .trim().slice(-300) || 'it printed nothing'}`,
          });
          return;
        }
        if (isTooOld(info)) {
          resolve({
            ok: false, problem: `dashm needs Python ${MIN_PYTHON.join('.')} or newer; ` +
              `"${interpreter.path}"${where} is Python ${versionText(info)}. Choose a newer ` +
              'interpreter or set "dashm.interpreter".',
          });
          return;
        }
        resolve({ ok: true, info });
      });
  });
}
