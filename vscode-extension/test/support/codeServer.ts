/**
 * A real VS Code for end-to-end tests: code-server 4.139.1 (the VS Code server + web
 * workbench) on a fresh user-data folder, with the given .vsix files installed, driven by
 * headless Chromium through playwright-core. See ../../../../shared/vscode-e2e.md for why this
 * and not @vscode/test-electron.
 *
 * Needs (scripts/e2e-setup.sh prints them): CODE_SERVER, NODE24_BIN, CHROMIUM. Every wait is for
 * a DOM condition; screenshots, code-server's log and VS Code's logs go to the artifacts folder
 * (kept on failure too).
 */

import assert from 'node:assert/strict';
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync,
  writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';

import { type BrowserContext, chromium, type Page } from 'playwright-core';

/** vscode-extension/: the first folder above this file (source or compiled) with src/extension.ts. */
function extensionFolder(): string {
  let folder = __dirname;
  while (!existsSync(join(folder, 'src', 'extension.ts'))) {
    assert.notEqual(dirname(folder), folder, 'vscode-extension/ is above this test');
    folder = dirname(folder);
  }
  return folder;
}

export const EXTENSION = extensionFolder();
export const REPOSITORY = dirname(EXTENSION);
export const VERSION: string =
  JSON.parse(readFileSync(join(EXTENSION, 'package.json'), 'utf8')).version;
/** dashm's packaged extension (`npm run package`), or DASHM_VSIX. */
export const VSIX = process.env.DASHM_VSIX ?? join(EXTENSION, `dashm-${VERSION}.vsix`);
/** How long any one DOM condition may take to come true. */
export const WAIT = 30_000;

export function required(name: string): string {
  const value = process.env[name];
  assert.ok(value, `${name} is not set: run eval "$(bash scripts/e2e-setup.sh)" first`);
  return value;
}

/** A free TCP port on the loopback interface. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/**
 * Polls `probe` (every 100 ms, up to WAIT) until `ok` holds for its value, and returns it; fails
 * with `what` and the last value. For conditions a locator cannot wait for (a list filling in
 * row by row, a log file).
 */
export async function eventually<T>(what: string, probe: () => Promise<T>,
  ok: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + WAIT;
  for (;;) {
    const value = await probe();
    if (ok(value)) {
      return value;
    }
    assert.ok(Date.now() < deadline, `${what}: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 100)); // polling, not a fixed wait
  }
}

/** User settings that make the workbench deterministic and quiet. */
export const QUIET_SETTINGS: Readonly<Record<string, unknown>> = {
  'security.workspace.trust.enabled': false,
  'workbench.startupEditor': 'none',
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.ignoreRecommendations': true,
  'terminal.integrated.gpuAcceleration': 'off', // so the terminal's text is in the DOM
  'terminal.integrated.defaultProfile.linux': 'bash',
  'chat.disableAIFeatures': true,
  'workbench.tips.enabled': false,
  'editor.minimap.enabled': false,
  'git.enabled': false,
  'window.restoreWindows': 'none',
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
};

export interface WorkbenchOptions {
  /** A temporary folder this run owns (user data, extensions, home, browser profile). */
  tmp: string;
  /** The folder VS Code opens. */
  workspace: string;
  /** Where screenshots and logs go; emptied first. */
  artifacts: string;
  /** The .vsix files to install, in order. */
  vsixes: string[];
  /** User settings on top of QUIET_SETTINGS. */
  settings: Record<string, unknown>;
  /** Extra environment for code-server (and so for the extension host). */
  env?: Record<string, string>;
}

/** A running code-server with a browser page on it, and the page-level helpers tests share. */
export class Workbench {
  readonly userData: string;
  readonly extensions: string;
  page!: Page;
  private codeServer: ChildProcess | undefined;
  private browser: BrowserContext | undefined;
  private shots = 0;

  constructor(readonly options: WorkbenchOptions) {
    this.userData = join(options.tmp, 'user-data');
    this.extensions = join(options.tmp, 'extensions');
  }

  /** Installs the extensions, starts code-server and opens the workspace in Chromium. */
  async start(): Promise<void> {
    const { tmp, workspace, artifacts } = this.options;
    rmSync(artifacts, { recursive: true, force: true });
    mkdirSync(artifacts, { recursive: true });
    const codeServerBin = required('CODE_SERVER');
    const node24 = required('NODE24_BIN');
    const chromiumPath = required('CHROMIUM');
    for (const vsix of this.options.vsixes) {
      assert.ok(existsSync(vsix), `${vsix} is missing (npm run package makes dashm's)`);
    }
    mkdirSync(join(this.userData, 'User'), { recursive: true });
    writeFileSync(join(this.userData, 'User', 'settings.json'),
      JSON.stringify({ ...QUIET_SETTINGS, ...this.options.settings }, null, 2));
    const home = join(tmp, 'home');
    mkdirSync(home, { recursive: true });
    const env = {
      ...process.env,
      PATH: `${node24}:${process.env.PATH}`,
      HOME: home,
      XDG_CONFIG_HOME: join(home, '.config'),
      XDG_DATA_HOME: join(home, '.local', 'share'),
      XDG_CACHE_HOME: join(home, '.cache'),
      SHELL: '/bin/bash',
      ...this.options.env,
    };
    const common = ['--user-data-dir', this.userData, '--extensions-dir', this.extensions];
    for (const vsix of this.options.vsixes) {
      execFileSync(codeServerBin, [...common, '--install-extension', vsix],
        { env, stdio: 'pipe' });
    }

    const port = await freePort();
    const log = openSync(join(artifacts, 'code-server.log'), 'w');
    this.codeServer = spawn(codeServerBin, ['--auth', 'none', '--bind-addr',
      `127.0.0.1:${port}`, '--disable-telemetry', '--disable-update-check',
      '--disable-workspace-trust', '--disable-getting-started-override', ...common, workspace],
    { env, detached: true, stdio: ['ignore', log, log] });
    const deadline = Date.now() + WAIT;
    for (;;) {
      const healthy = await fetch(`http://127.0.0.1:${port}/healthz`)
        .then((r) => r.ok, () => false);
      if (healthy) {
        break;
      }
      assert.ok(Date.now() < deadline, 'code-server answers /healthz within 30 s');
      assert.equal(this.codeServer.exitCode, null, 'code-server is still running');
      await new Promise((resolve) => setTimeout(resolve, 200)); // polling, not a fixed wait
    }

    this.browser = await chromium.launchPersistentContext(join(tmp, 'chromium-profile'), {
      executablePath: chromiumPath,
      headless: true,
      viewport: { width: 1400, height: 860 },
      args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage',
        '--disable-background-networking', '--disable-component-update', '--disable-sync',
        '--no-first-run'],
    });
    await this.browser.grantPermissions(['clipboard-read', 'clipboard-write'],
      { origin: `http://127.0.0.1:${port}` });
    this.page = this.browser.pages()[0] ?? await this.browser.newPage();
    await this.page.goto(`http://127.0.0.1:${port}/?folder=${encodeURIComponent(workspace)}`);
    await this.page.locator('.monaco-workbench').waitFor({ timeout: WAIT });
    await this.page.locator('.explorer-folders-view, .explorer-viewlet').first()
      .waitFor({ timeout: WAIT });
  }

  /** Closes the browser, ends code-server's process group, keeps VS Code's logs. */
  async stop(): Promise<void> {
    await this.browser?.close().catch(() => undefined);
    if (this.codeServer?.pid) {
      try {
        process.kill(-this.codeServer.pid, 'SIGTERM'); // the whole process group
      } catch {
        // already gone
      }
    }
    if (existsSync(join(this.userData, 'logs'))) {
      cpSync(join(this.userData, 'logs'), join(this.options.artifacts, 'logs'),
        { recursive: true });
    }
  }

  async screenshot(name: string): Promise<string> {
    const file = join(this.options.artifacts,
      `${String(++this.shots).padStart(2, '0')}-${name}.png`);
    await this.page.screenshot({ path: file });
    return file;
  }

  /** Runs one step; on failure keeps a screenshot named after it before failing. */
  async step(name: string, body: () => Promise<void>): Promise<void> {
    try {
      await body();
    } catch (error) {
      if (this.page) {
        await this.screenshot(`FAILED-${name}`).catch(() => undefined);
      }
      throw error;
    }
  }

  /** The text of every log file called `name` under VS Code's logs (e.g. dashm.log). */
  log(name: string): string {
    const found: string[] = [];
    const walk = (folder: string) => {
      for (const entry of readdirSync(folder, { withFileTypes: true })) {
        const path = join(folder, entry.name);
        if (entry.isDirectory()) {
          walk(path);
        } else if (entry.name === name) {
          found.push(path);
        }
      }
    };
    if (existsSync(join(this.userData, 'logs'))) {
      walk(join(this.userData, 'logs'));
    }
    return found.map((file) => readFileSync(file, 'utf8')).join('\n');
  }

  /**
   * Opens the command palette, types the command's title and picks it; waits for the palette to
   * close, or for the next quick pick (`thenPick`: its placeholder) to open.
   */
  async runCommand(title: string, thenPick?: string): Promise<void> {
    const page = this.page;
    await page.keyboard.press('F1');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible', timeout: WAIT });
    await input.fill(`>${title}`);
    const row = page.locator('.quick-input-list .monaco-list-row').filter({ hasText: title })
      .first();
    await row.waitFor({ state: 'visible', timeout: WAIT });
    await row.click();
    if (thenPick) {
      await page.locator(`.quick-input-widget input[placeholder="${thenPick}"]`)
        .waitFor({ timeout: WAIT });
    } else {
      await input.waitFor({ state: 'hidden', timeout: WAIT });
    }
  }

  /** Opens a workspace file with Quick Open (Ctrl+P) and waits for its editor. */
  async openFile(relative: string): Promise<void> {
    const page = this.page;
    await page.keyboard.press('Control+P');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible', timeout: WAIT });
    await input.fill(relative);
    const name = relative.split('/').pop() ?? relative;
    // Enter opens the focused row: wait until the filtered list has focused this file.
    const row = page.locator('.quick-input-list .monaco-list-row.focused')
      .filter({ hasText: name }).filter({ hasText: dirname(relative) }).first();
    await row.waitFor({ state: 'visible', timeout: WAIT });
    await page.keyboard.press('Enter');
    await page.locator('.tab.active').filter({ hasText: name }).waitFor({ timeout: WAIT });
    await page.locator('.editor-group-container.active .monaco-editor .view-line').first()
      .waitFor({ timeout: WAIT });
  }

  /** The visible text of the terminal panel (the active terminal's rows). */
  async terminalText(): Promise<string> {
    const rows = this.page.locator('.terminal-wrapper.active .xterm-rows, .xterm-rows').last();
    return (await rows.innerText()).replace(/\u00a0/g, ' ');
  }
}
