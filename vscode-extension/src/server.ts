/**
 * The language client: starts `<python> -m dashm serve` with the bundled libraries, restarts it
 * (debounced) when the interpreter changes, and carries out the server's client-side commands
 * (`dashm.runModule`, `dashm.debugModule`) instead of sending them back to the server.
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
import { type Interpreters, probe } from './python';
import { SECTION, serverSettings } from './settings';

/** Commands the server advertises but the editor carries out (CodeLens, "Run as module"). */
export const RUN_MODULE = 'dashm.runModule';
export const DEBUG_MODULE = 'dashm.debugModule';
const MODULE_INVOCATION = 'dashm.moduleInvocation';
const RESTART_DELAY_MS = 500;

export interface ClientCommands {
  run(invocation: Invocation): Promise<unknown>;
  debug(invocation: Invocation): Promise<unknown>;
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
    if (!this.running) {
      await this.start();
    }
    const client = this.client;
    if (!client || client.state !== State.Running) {
      throw new Error('the dashm server is not running (dashm: Show Logs says why)');
    }
    const answer = await client.sendRequest(ExecuteCommandRequest.type,
      { command: MODULE_INVOCATION, arguments: [{ uri: uri.toString() }] });
    const invocation = asInvocation(answer);
    if (!invocation) {
      throw new Error(`the server's answer to ${MODULE_INVOCATION} is not an invocation: ` +
        JSON.stringify(answer));
    }
    return invocation;
  }

  private async doStart(): Promise<void> {
    const interpreter = await this.interpreters.choose();
    this.log.info(`Interpreter: ${interpreter.path} (${interpreter.source})`);
    const extensionPath = this.context.extensionUri.fsPath;
    const probed = await probe(interpreter, extensionPath);
    if (!probed.ok) {
      this.log.error(probed.problem);
      void vscode.window.showErrorMessage(probed.problem, 'Show Logs', 'Open Settings')
        .then((choice) => {
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
    const client = new LanguageClient(SECTION, 'dashm', {
      command: spawn.command,
      args: spawn.args,
      options: { cwd: spawn.cwd, env: spawn.env },
    }, this.clientOptions());
    this.client = client;
    try {
      await client.start();
    } catch (error) {
      this.log.error(`The server did not start: ${error}`);
      void vscode.window.showErrorMessage(`dashm: the server did not start: ${error}`,
        'Show Logs').then((choice) => choice && this.log.show());
    }
  }

  private clientOptions(): LanguageClientOptions {
    const folder = vscode.workspace.workspaceFolders?.[0];
    return {
      documentSelector: [
        { scheme: 'file', language: 'python' },
        { scheme: 'file', pattern: '**/pyproject.toml' },
      ],
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
          const invocation = asInvocation(args[0]);
          if (!invocation) {
            void vscode.window.showErrorMessage(`dashm: ${command} needs an invocation`);
            return undefined;
          }
          return command === RUN_MODULE
            ? this.commands.run(invocation) : this.commands.debug(invocation);
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

  dispose(): void {
    clearTimeout(this.restartTimer);
    void this.stop();
    vscode.Disposable.from(...this.disposables).dispose();
  }
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
