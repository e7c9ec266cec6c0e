/**
 * The language client: starts `<python> -m dashm serve` with the bundled libraries, restarts it
 * (debounced) when the interpreter changes, and carries out the server's client-side commands
 * (`dashm.runModule`, `dashm.debugModule`, `dashm.showDocument`) instead of sending them back to
 * the server.
 */

import * as os from 'os';
import * as vscode from 'vscode';
import {
  ExecuteCommandRequest,
  LanguageClient,
  type LanguageClientOptions,
  type Middleware,
  RevealOutputChannelOn,
  State,
} from 'vscode-languageclient/node';

import { asInvocation, type Invocation } from './invocation';
import { serverProcess } from './launch';
import { type Interpreter, type Interpreters, probe } from './python';
import { DOCUMENT_SELECTOR } from './selector';
import { SECTION, serverSettings } from './settings';

/** Commands the server advertises but the editor carries out (CodeLens, "Run as module"). */
export const RUN_MODULE = 'dashm.runModule';
export const DEBUG_MODULE = 'dashm.debugModule';
/** Attached to a fix that creates a file (DM202's `__main__.py`): show that file. */
export const SHOW_DOCUMENT = 'dashm.showDocument';
const MODULE_INVOCATION = 'dashm.moduleInvocation';
/** Every safe fix of the workspace as one edit, previewed first (`dashm check --fix`). */
const FIX_WORKSPACE = 'dashm.fixWorkspace';
const RESTART_DELAY_MS = 500;

export interface ClientCommands {
  run(invocation: Invocation): Promise<unknown>;
  debug(invocation: Invocation): Promise<unknown>;
}

/**
 * An error the user has already been shown (the interpreter problem's notification): commands
 * log it without a second notification.
 */
export class ReportedError extends Error {}

/**
 * The client, except that a server which exits with code 0 (after `shutdown` and `exit`, or a
 * restart) is logged as information: it is no error.
 */
class DashmLanguageClient extends LanguageClient {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  override error(message: string, data?: any, showNotification?: boolean | 'force'): void {
    if (/^Server process exited with code 0\.?$/.test(message)) {
      this.info('The server process exited cleanly.', data, false);
      return;
    }
    super.error(message, data, showNotification);
  }
}

export class DashmServer implements vscode.Disposable {
  private client: LanguageClient | undefined;
  private starting: Promise<void> | undefined;
  private restartTimer: NodeJS.Timeout | undefined;
  /** A restart is coming: the old server need not hear about the new settings. */
  private restartPending = false;
  private readonly stateChanged = new vscode.EventEmitter<boolean>();
  /** Fires with true when a server is up, false when it stopped. */
  readonly onDidChangeState = this.stateChanged.event;
  private readonly disposables: vscode.Disposable[] = [this.stateChanged];
  /** The interpreter the server runs on (once one was chosen). */
  private chosen: Interpreter | undefined;
  /** Why the last start failed (shown to the user), until a start succeeds. */
  private problem: string | undefined;
  /** The notification of `problem` is still on screen. */
  private problemShown = false;

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly log: vscode.LogOutputChannel,
    private readonly interpreters: Interpreters,
    private readonly commands: ClientCommands,
  ) {
    this.disposables.push(interpreters.onDidChange(() => this.scheduleRestart()));
  }

  get running(): boolean {
    return this.client?.state === State.Running;
  }

  /** Between choosing the interpreter and the server's answer to `initialize`. */
  get isStarting(): boolean {
    return this.starting !== undefined;
  }

  /** The interpreter the server was last started with, and where that choice came from. */
  get interpreter(): Interpreter | undefined {
    return this.chosen;
  }

  /** Starts the server (once; concurrent callers share the start). */
  start(): Promise<void> {
    if (!this.starting) {
      this.starting = this.doStart().finally(() => {
        this.starting = undefined;
        this.stateChanged.fire(this.running);
      });
      this.stateChanged.fire(false);
    }
    return this.starting;
  }

  async restart(): Promise<void> {
    await this.starting;
    await this.stop();
    await this.start();
  }

  private scheduleRestart(): void {
    clearTimeout(this.restartTimer);
    this.restartPending = true;
    this.restartTimer = setTimeout(() => {
      this.restartPending = false;
      this.log.info('The interpreter changed: restarting the server');
      void this.restart();
    }, RESTART_DELAY_MS);
  }

  async stop(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (client) {
      try {
        await client.dispose(5_000); // shutdown + exit, then the process is gone
      } catch (error) {
        this.log.warn(`Stopping the server: ${error}`);
      }
      this.stateChanged.fire(false);
    }
  }

  /** Asks the server how to run the file at `uri` as a module. */
  async invocation(uri: vscode.Uri): Promise<Invocation> {
    const answer = await this.execute(MODULE_INVOCATION, [{ uri: uri.toString() }]);
    const invocation = asInvocation(answer);
    if (!invocation) {
      throw new Error(`the server's answer to ${MODULE_INVOCATION} is not an invocation: ` +
        JSON.stringify(answer));
    }
    return invocation;
  }

  /**
   * Asks the server for every safe fix of the workspace; it sends them back as one edit that
   * VS Code previews (Refactor Preview) before applying. Messages come from the server.
   */
  async fixWorkspace(): Promise<unknown> {
    return this.execute(FIX_WORKSPACE, []);
  }

  private async execute(command: string, args: unknown[]): Promise<unknown> {
    if (!this.running) {
      await this.start();
    }
    const client = this.client;
    if (!client || client.state !== State.Running) {
      if (this.problem) {
        throw new ReportedError(this.problem); // notified when the start failed
      }
      throw new Error('the dashm server is not running (dashm: Show Logs says why)');
    }
    return client.sendRequest(ExecuteCommandRequest.type, { command, arguments: args });
  }

  private async doStart(): Promise<void> {
    const interpreter = await this.interpreters.choose();
    this.chosen = interpreter;
    this.log.info(`Interpreter: ${interpreter.path} (${interpreter.source})`);
    const extensionPath = this.context.extensionUri.fsPath;
    const probed = await probe(interpreter, extensionPath);
    if (!probed.ok) {
      this.log.error(probed.problem);
      const onScreen = this.problemShown && probed.problem === this.problem;
      this.problem = probed.problem;
      if (onScreen) {
        return; // one notification: not the same one stacked again
      }
      this.problemShown = true;
      void vscode.window.showErrorMessage(probed.problem, 'Show Logs', 'Open Settings')
        .then((choice) => {
          this.problemShown = false;
          if (choice === 'Show Logs') {
            this.log.show();
          } else if (choice === 'Open Settings') {
            void vscode.commands.executeCommand('workbench.action.openSettings',
              `${SECTION}.interpreter`);
          }
        });
      return;
    }
    const spawn = serverProcess(interpreter.path, probed.info, extensionPath, process.env,
      interpreter.source === 'python extension' ? interpreter.path : undefined);
    this.log.info(`Starting: ${spawn.command} ${spawn.args.join(' ')} (Python ` +
      `${probed.info.version.join('.')}, in ${spawn.cwd})`);
    this.problem = undefined;
    const client = new DashmLanguageClient(SECTION, 'dashm', {
      command: spawn.command,
      args: spawn.args,
      options: { cwd: spawn.cwd, env: spawn.env },
    }, this.clientOptions());
    this.client = client;
    try {
      await client.start();
    } catch (error) {
      this.log.error(`The server did not start: ${error}`);
      this.problem = `dashm: the server did not start: ${error}`;
      void vscode.window.showErrorMessage(this.problem, 'Show Logs')
        .then((choice) => choice && this.log.show());
    }
  }

  private clientOptions(): LanguageClientOptions {
    const folder = vscode.workspace.workspaceFolders?.[0];
    return {
      documentSelector: DOCUMENT_SELECTOR,
      outputChannel: this.log,
      traceOutputChannel: this.log,
      revealOutputChannelOn: RevealOutputChannelOn.Never,
      initializationOptions: { [SECTION]: settingsFor(folder?.uri) },
      synchronize: { configurationSection: SECTION },
      middleware: this.middleware(),
    };
  }

  private middleware(): Middleware {
    return {
      executeCommand: async (command, args, next) => {
        if (command === RUN_MODULE || command === DEBUG_MODULE) {
          const given = asInvocation(args[0]);
          if (!given) {
            void vscode.window.showErrorMessage(`dashm: ${command} needs an invocation`);
            return undefined;
          }
          const invocation = await this.current(given);
          return command === RUN_MODULE
            ? this.commands.run(invocation) : this.commands.debug(invocation);
        }
        if (command === SHOW_DOCUMENT) {
          return showDocument(args[0]);
        }
        return next(command, args);
      },
      workspace: {
        // Interpreters sees a `dashm.interpreter` change before the client does (it subscribed
        // first), so the server about to be replaced does not report the new value too.
        didChangeConfiguration: (sections, next) =>
          this.restartPending ? Promise.resolve() : next(sections),
        configuration: async (params, token, next) => {
          const answers = await next(params, token);
          if (!Array.isArray(answers)) {
            return answers;
          }
          return params.items.map((item, index) => item.section === SECTION
            ? settingsFor(item.scopeUri ? vscode.Uri.parse(item.scopeUri) : undefined)
            : answers[index]);
        },
      },
    };
  }

  /**
   * A CodeLens carries the invocation of the moment it was drawn; ask again for the active file
   * it belongs to, so a `.venv` made since (the server chooses again on every question) runs it.
   */
  private async current(given: Invocation): Promise<Invocation> {
    const document = vscode.window.activeTextEditor?.document;
    if (!document || document.uri.scheme !== 'file' || !given.module) {
      return given;
    }
    try {
      const fresh = await this.invocation(document.uri);
      return fresh.module === given.module && fresh.cwd === given.cwd ? fresh : given;
    } catch {
      return given;
    }
  }

  dispose(): void {
    clearTimeout(this.restartTimer);
    void this.stop();
    vscode.Disposable.from(...this.disposables).dispose();
  }
}

/** Opens the file a fix created (`{uri}`) in the active editor group. */
async function showDocument(arg: unknown): Promise<{ shown: boolean }> {
  const uri = typeof arg === 'string' ? arg
    : typeof arg === 'object' && arg !== null ? (arg as { uri?: unknown }).uri : undefined;
  if (typeof uri !== 'string') {
    return { shown: false };
  }
  await vscode.window.showTextDocument(vscode.Uri.parse(uri), { preview: false });
  return { shown: true };
}

/** The `dashm` section for the folder of `scope`, as the server reads it. */
function settingsFor(scope: vscode.Uri | undefined): Record<string, unknown> {
  const config = vscode.workspace.getConfiguration(SECTION, scope);
  const folder = scope ? vscode.workspace.getWorkspaceFolder(scope) : undefined;
  return serverSettings((key) => config.get(key), {
    folder: (folder ?? vscode.workspace.workspaceFolders?.[0])?.uri.fsPath,
    home: os.homedir(),
    env: process.env,
  });
}
