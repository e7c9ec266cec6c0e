/**
 * End-to-end: the packaged .vsix installed in a real VS Code (code-server 4.139.1, driven by
 * headless Chromium through playwright-core) on a copy of the repository's examples/.
 *
 * Needs (scripts/e2e-setup.sh prints them): CODE_SERVER, NODE24_BIN, CHROMIUM; and the .vsix
 * (`npm run package`). The server runs on a fresh virtual environment without pip, pygls or
 * dashm, so only the libraries bundled in the .vsix can make it work: that venv is the
 * `python3` first on PATH, as on a user's machine without settings (no `dashm.interpreter`),
 * so a `.venv` made in the workspace later is what the next Run uses. A loose project outside
 * the workspace folder holds the file run from the palette. Every wait is for a DOM condition;
 * screenshots and VS Code's logs go to test-artifacts/e2e/ (kept on failure too).
 * DASHM_E2E_DOCS=1 also copies the README's screenshots to docs/images/.
 */

import assert from 'node:assert/strict';
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync,
  readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { type BrowserContext, chromium, type Locator, type Page } from 'playwright-core';

/** vscode-extension/: the first folder above this test (source or compiled) with src/extension.ts. */
function extensionFolder(): string {
  let folder = __dirname;
  while (!existsSync(join(folder, 'src', 'extension.ts'))) {
    assert.notEqual(dirname(folder), folder, 'vscode-extension/ is above this test');
    folder = dirname(folder);
  }
  return folder;
}

const EXTENSION = extensionFolder();
const REPOSITORY = dirname(EXTENSION);
const ARTIFACTS = join(EXTENSION, 'test-artifacts', 'e2e');
const VERSION = JSON.parse(readFileSync(join(EXTENSION, 'package.json'), 'utf8')).version;
const VSIX = process.env.DASHM_VSIX ?? join(EXTENSION, `dashm-${VERSION}.vsix`);
const WAIT = 30_000;

function required(name: string): string {
  const value = process.env[name];
  assert.ok(value, `${name} is not set: run eval "$(bash scripts/e2e-setup.sh)" first`);
  return value;
}

/** A free TCP port on the loopback interface. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

let tmp: string;
let workspace: string;
let loose: string;
let basePython: string;
let userData: string;
let codeServer: ChildProcess | undefined;
let browser: BrowserContext | undefined;
let page: Page;
let shots = 0;

async function screenshot(name: string): Promise<string> {
  const file = join(ARTIFACTS, `${String(++shots).padStart(2, '0')}-${name}.png`);
  await page.screenshot({ path: file });
  return file;
}

/** Runs one step; on failure keeps a screenshot named after it before failing. */
async function step(name: string, body: () => Promise<void>): Promise<void> {
  try {
    await body();
  } catch (error) {
    if (page) {
      await screenshot(`FAILED-${name}`).catch(() => undefined);
    }
    throw error;
  }
}

/** Text of the visible lines of the active editor, top to bottom. */
async function editorLines(): Promise<string[]> {
  const editor = page.locator('.editor-group-container.active .monaco-editor').first();
  return editor.locator('.view-lines .view-line').evaluateAll((lines) => lines
    .map((line) => ({ top: parseFloat((line as unknown as { style: { top: string } }).style.top), text: line.textContent ?? '' }))
    .sort((a, b) => a.top - b.top)
    .map((line) => line.text.replace(/\u00a0/g, ' ')));
}

/** The dashm output channel's log file (VS Code writes each LogOutputChannel to one). */
function dashmLog(): string {
  const found: string[] = [];
  const walk = (folder: string) => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) {
        walk(path);
      } else if (entry.name === 'dashm.log') {
        found.push(path);
      }
    }
  };
  walk(join(userData, 'logs'));
  return found.map((file) => readFileSync(file, 'utf8')).join('\n');
}

async function terminalText(): Promise<string> {
  const rows = page.locator('.terminal-wrapper.active .xterm-rows, .xterm-rows').last();
  return (await rows.innerText()).replace(/\u00a0/g, ' ');
}

/**
 * Opens the command palette, types the command's title and picks it; waits for the palette to
 * close, or for the next quick pick (`thenPick`: its placeholder) to open.
 */
async function runCommand(title: string, thenPick?: string): Promise<void> {
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

/** Opens a file outside the workspace folder by its absolute path (Ctrl+P accepts those). */
async function openPath(absolute: string): Promise<void> {
  await page.keyboard.press('Control+P');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible', timeout: WAIT });
  await input.fill(absolute);
  const name = absolute.split('/').pop() ?? absolute;
  await page.locator('.quick-input-list .monaco-list-row.focused').filter({ hasText: name })
    .first().waitFor({ state: 'visible', timeout: WAIT });
  await page.keyboard.press('Enter');
  await page.locator('.tab.active').filter({ hasText: name }).waitFor({ timeout: WAIT });
  await page.locator('.editor-group-container.active .monaco-editor .view-line').first()
    .waitFor({ timeout: WAIT });
}

/** Puts the cursor at line:column of the active editor, then opens the light bulb's menu. */
async function codeActionsAt(line: number, column: number): Promise<void> {
  await page.locator('.editor-group-container.active .monaco-editor .view-lines').first()
    .click();
  await page.keyboard.press('Control+G');
  await page.locator('.quick-input-widget input').fill(`:${line}:${column}`);
  await page.keyboard.press('Enter');
  await page.locator('.quick-input-widget input').waitFor({ state: 'hidden', timeout: WAIT });
  await page.keyboard.press('Control+.');
}

/**
 * Opens the light bulb's menu at (line, column) until it lists a row with `text`, and returns
 * that row. The menu is asked again (Escape, Ctrl+.) when it comes up without the row: an
 * editor asks for code actions once, and an answer given while the server re-checks the
 * workspace may be empty; a user would press Ctrl+. again too.
 */
async function codeActionRow(line: number, column: number, text: string): Promise<Locator> {
  const deadline = Date.now() + WAIT;
  const seen: string[] = [];
  for (;;) {
    await codeActionsAt(line, column);
    const row = page.locator('.action-widget .monaco-list-row').filter({ hasText: text }).first();
    try {
      await row.waitFor({ timeout: 5_000 });
      return row;
    } catch {
      const widget = page.locator('.action-widget, .monaco-editor-overlaymessage').first();
      seen.push(await widget.isVisible() ? await widget.innerText() : '(no menu)');
      await page.keyboard.press('Escape');
      assert.ok(Date.now() < deadline,
        `the code actions at ${line}:${column} list "${text}"; menus seen: ${JSON.stringify(seen)}`);
    }
  }
}

/** Polls the active editor until its lines satisfy `ok`; fails with the lines it saw. */
async function waitForLines(what: string, ok: (lines: string[]) => boolean): Promise<string[]> {
  const deadline = Date.now() + WAIT;
  let lines = await editorLines();
  while (!ok(lines)) {
    assert.ok(Date.now() < deadline, `${what}: ${JSON.stringify(lines)}`);
    await page.waitForTimeout(100); // polling the editor's text
    lines = await editorLines();
  }
  return lines;
}

/** The names of the open terminals, as the terminal quick pick ("term ") lists them. */
async function terminalNames(): Promise<string[]> {
  await page.keyboard.press('Control+P');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible', timeout: WAIT });
  await input.fill('term ');
  const rows = page.locator('.quick-input-list .monaco-list-row');
  await rows.filter({ hasText: 'dashm:' }).first().waitFor({ timeout: WAIT });
  const names = await rows.locator('.label-name').allInnerTexts();
  await page.keyboard.press('Escape');
  await input.waitFor({ state: 'hidden', timeout: WAIT });
  return names.map((n) => n.replace(/\u00a0/g, ' ').trim());
}

/** Waits until the dashm log matches `pattern`; returns the log. */
async function waitForLog(what: string, pattern: RegExp): Promise<string> {
  let log = dashmLog();
  for (const deadline = Date.now() + WAIT; !pattern.test(log); log = dashmLog()) {
    assert.ok(Date.now() < deadline, `${what} (the dashm log matches ${pattern})`);
    await page.waitForTimeout(100); // polling the log file
  }
  return log;
}

/** Ctrl+P, the file's path, Enter: waits until its tab is the active one. */
async function quickOpen(relative: string): Promise<void> {
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
}

async function openFile(relative: string): Promise<void> {
  await quickOpen(relative);
  await page.locator('.editor-group-container.active .monaco-editor .view-line').first()
    .waitFor({ timeout: WAIT });
}

describe('dashm in VS Code (code-server)', { timeout: 480_000 }, () => {
  before(async () => {
    rmSync(ARTIFACTS, { recursive: true, force: true });
    mkdirSync(ARTIFACTS, { recursive: true });
    const codeServerBin = required('CODE_SERVER');
    const node24 = required('NODE24_BIN');
    const chromiumPath = required('CHROMIUM');
    assert.ok(existsSync(VSIX), `${VSIX} is missing: run npm run package first`);

    tmp = mkdtempSync(join(tmpdir(), 'dashm-e2e-'));
    workspace = join(tmp, 'inventory-example');
    cpSync(join(REPOSITORY, 'examples'), workspace, { recursive: true });
    // For "Run Package as Module" and the ${command:...} variables.
    writeFileSync(join(workspace, 'inventory', '__main__.py'),
      'print("inventory runs as a package")\n');
    // Says which interpreter runs it (a .venv made later must be the one).
    writeFileSync(join(workspace, 'tools', 'where.py'), 'import sys\n\n' +
      'if __name__ == "__main__":\n    print("PREFIX=" + sys.prefix)\n');
    // A package meant to be run (its console script) without __main__.py: DM202 creates it.
    mkdirSync(join(workspace, 'shop'));
    writeFileSync(join(workspace, 'shop', '__init__.py'), '# The shop.\n');
    writeFileSync(join(workspace, 'shop', 'app.py'), 'def main():\n    print("shop open")\n' +
      '    return 0\n\n\nif __name__ == "__main__":\n    main()\n');
    const pyproject = join(workspace, 'pyproject.toml');
    writeFileSync(pyproject, readFileSync(pyproject, 'utf8').replace('[project.scripts]\n',
      '[project.scripts]\nshop = "shop.app:main"\n'));
    // A loose project, outside the workspace folder: run from the palette, its package named.
    loose = join(tmp, 'loose-project');
    mkdirSync(join(loose, 'greet'), { recursive: true });
    writeFileSync(join(loose, 'pyproject.toml'), '[project]\nname = "greet"\nversion = "0.1"\n');
    writeFileSync(join(loose, 'greet', '__init__.py'), '# Greetings.\n');
    writeFileSync(join(loose, 'greet', 'names.py'), 'WHO = "the loose project"\n');
    writeFileSync(join(loose, 'greet', 'hello.py'), 'from .names import WHO\n\n' +
      'if __name__ == "__main__":\n    print(f"hello from {WHO}")\n');
    // A notebook whose second cell adds the kernel's own folder to sys.path (DM103, fixable).
    mkdirSync(join(workspace, 'notebooks'));
    writeFileSync(join(workspace, 'notebooks', 'explore.ipynb'), JSON.stringify({
      cells: [
        { cell_type: 'markdown', metadata: {}, source: ['# Explore'] },
        { cell_type: 'code', execution_count: null, metadata: {}, outputs: [],
          source: ['import os, sys\n', 'sys.path.insert(0, os.getcwd())\n', 'print(os.sep)'] },
      ],
      metadata: { kernelspec: { display_name: 'Python 3', language: 'python', name: 'python3' },
        language_info: { name: 'python' } },
      nbformat: 4, nbformat_minor: 5,
    }, null, 1));
    mkdirSync(join(workspace, '.vscode'), { recursive: true });
    writeFileSync(join(workspace, '.vscode', 'tasks.json'), JSON.stringify({
      version: '2.0.0',
      tasks: [{
        label: 'show current module', type: 'shell', problemMatcher: [],
        command: 'echo MODULE=${command:dashm.currentModule} CWD=${command:dashm.currentModuleCwd}',
      }],
    }));
    // A Python with nothing installed: the server can only run on the bundled libraries.
    const venv = join(tmp, 'venv');
    basePython = process.env.DASHM_E2E_BASE_PYTHON ?? 'python3';
    execFileSync(basePython, ['-m', 'venv', '--without-pip', venv]);
    const python = join(venv, 'bin', 'python');
    assert.throws(() => execFileSync(python, ['-c', 'import pygls'], { stdio: 'ignore' }));

    userData = join(tmp, 'user-data');
    mkdirSync(join(userData, 'User'), { recursive: true });
    writeFileSync(join(userData, 'User', 'settings.json'), JSON.stringify({
      'security.workspace.trust.enabled': false,
      'workbench.startupEditor': 'none',
      'telemetry.telemetryLevel': 'off',
      'update.mode': 'none',
      'extensions.autoCheckUpdates': false,
      'extensions.ignoreRecommendations': true,
      'terminal.integrated.gpuAcceleration': 'off',
      'terminal.integrated.defaultProfile.linux': 'bash',
      'chat.disableAIFeatures': true,
      'workbench.tips.enabled': false,
      'editor.minimap.enabled': false,
      'git.enabled': false,
      'window.restoreWindows': 'none',
      'workbench.secondarySideBar.defaultVisibility': 'hidden',
      'dashm.trace.server': 'messages',
    }, null, 2));
    const home = join(tmp, 'home');
    mkdirSync(home);
    // VS Code takes the extension host's environment from a login shell (which resets PATH
    // from /etc/profile): put the venv first where a user would, in ~/.profile.
    writeFileSync(join(home, '.profile'), `export PATH="${join(venv, 'bin')}:$PATH"\n`);
    const env: Record<string, string | undefined> = {
      ...process.env,
      // python3 is the venv's: the default interpreter (no dashm.interpreter setting).
      PATH: `${join(venv, 'bin')}:${node24}:${process.env.PATH}`,
      HOME: home,
      XDG_CONFIG_HOME: join(home, '.config'),
      XDG_DATA_HOME: join(home, '.local', 'share'),
      XDG_CACHE_HOME: join(home, '.cache'),
      SHELL: '/bin/bash',
    };
    // Not the environment this test runs in (.ci/run activates the repository's .venv).
    delete env.VIRTUAL_ENV;
    delete env.CONDA_PREFIX;
    delete env.PYTHONPATH;
    const extensions = join(tmp, 'extensions');
    const common = ['--user-data-dir', userData, '--extensions-dir', extensions];
    execFileSync(codeServerBin, [...common, '--install-extension', VSIX], { env, stdio: 'pipe' });
    assert.ok(readdirSync(extensions).some((name) => name.startsWith(`dashm.dashm-${VERSION}`)),
      `the .vsix is installed in ${extensions}`);

    const port = await freePort();
    const log = openSync(join(ARTIFACTS, 'code-server.log'), 'w');
    codeServer = spawn(codeServerBin, ['--auth', 'none', '--bind-addr', `127.0.0.1:${port}`,
      '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust',
      '--disable-getting-started-override', ...common, workspace],
    { env, detached: true, stdio: ['ignore', log, log] });
    const deadline = Date.now() + WAIT;
    for (;;) {
      const healthy = await fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.ok, () => false);
      if (healthy) {
        break;
      }
      assert.ok(Date.now() < deadline, 'code-server answers /healthz within 30 s');
      assert.equal(codeServer.exitCode, null, 'code-server is still running');
      await new Promise((resolve) => setTimeout(resolve, 200)); // polling, not a fixed wait
    }

    browser = await chromium.launchPersistentContext(join(tmp, 'chromium-profile'), {
      executablePath: chromiumPath,
      headless: true,
      viewport: { width: 1400, height: 860 },
      args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage',
        '--disable-background-networking', '--disable-component-update', '--disable-sync',
        '--no-first-run'],
    });
    await browser.grantPermissions(['clipboard-read', 'clipboard-write'],
      { origin: `http://127.0.0.1:${port}` });
    page = browser.pages()[0] ?? await browser.newPage();
    await page.goto(`http://127.0.0.1:${port}/?folder=${encodeURIComponent(workspace)}`);
    await page.locator('.monaco-workbench').waitFor({ timeout: WAIT });
    await page.locator('.explorer-folders-view, .explorer-viewlet').first()
      .waitFor({ timeout: WAIT });
  });

  after(async () => {
    await browser?.close().catch(() => undefined);
    if (codeServer?.pid) {
      try {
        process.kill(-codeServer.pid, 'SIGTERM'); // the whole process group
      } catch {
        // already gone
      }
    }
    if (userData && existsSync(join(userData, 'logs'))) {
      cpSync(join(userData, 'logs'), join(ARTIFACTS, 'logs'), { recursive: true });
    }
    if (tmp) {
      rmSync(tmp, { recursive: true, force: true });
    }
  });

  test('DM101: squiggle in the editor and a row in Problems with its code link', () =>
    step('dm101', async () => {
      await openFile('inventory/cli.py');
      await page.locator('.editor-group-container.active .squiggly-warning').first()
        .waitFor({ timeout: WAIT });
      await page.keyboard.press('Control+Shift+M');
      const row = page.locator('.markers-panel .monaco-list-row')
        .filter({ hasText: 'DM101' }).filter({ hasText: 'import storage' }).first();
      await row.waitFor({ timeout: WAIT });
      // The code is a link to the rule's explanation (the server's codeDescription).
      const link = row.locator('a.monaco-link').filter({ hasText: 'DM101' }).first();
      await link.waitFor({ timeout: WAIT });
      assert.match(await link.getAttribute('href') ?? '', /rules\.md#dm101-script-only-import$/);
      assert.match(await row.innerText(), /dashm/);
      // The message is one line that ends with the remedy, and the whole row fits the panel
      // (its "[Ln 5, Col 8]" is on screen, not cut off).
      const lines = row.locator('.marker-message-details-container .marker-message-line');
      assert.equal(await lines.count(), 1, 'the DM101 message is one line');
      const message = (await lines.first().locator('.marker-message').innerText()).trim();
      assert.match(message, /: use `from inventory import storage`$/, message);
      assert.ok(message.length <= 100, `${message.length} characters: ${message}`);
      const rowBox = await row.boundingBox();
      const where = await row.locator('.marker-line').first().boundingBox();
      assert.ok(rowBox && where && where.x + where.width <= rowBox.x + rowBox.width + 1,
        `the row's location is visible: ${JSON.stringify({ rowBox, where })}`);
      assert.match(await row.locator('.marker-line').first().innerText(), /Ln 5, Col 8/);
      await screenshot('dm101-squiggle-and-problems');
      // The first scan reported its progress to the client (shown in the status bar while it
      // lasts; too short-lived on this example to catch on screen, so read the protocol log).
      for (const deadline = Date.now() + WAIT; !/Received notification '\$\/progress'/
        .test(dashmLog());) {
        assert.ok(Date.now() < deadline, 'the server sent $/progress for its scan');
        await page.waitForTimeout(100); // polling the log file
      }
      assert.match(dashmLog(), /Received request 'window\/workDoneProgress\/create/);
    }));

  test('the quick fix from the light bulb rewrites the import', () =>
    step('quick-fix', async () => {
      const before = await editorLines();
      const line = before.indexOf('import storage') + 1;
      assert.ok(line > 0, `cli.py shows "import storage": ${JSON.stringify(before)}`);
      // Put the cursor on the import, then open the light bulb's menu (Ctrl+.).
      await page.locator('.editor-group-container.active .monaco-editor .view-lines').first()
        .click();
      await page.keyboard.press('Control+G');
      await page.locator('.quick-input-widget input').fill(`:${line}:10`);
      await page.keyboard.press('Enter');
      await page.keyboard.press('Control+.');
      const fix = page.locator('.action-widget .monaco-list-row')
        .filter({ hasText: 'DM101' }).filter({ hasText: 'storage' }).first();
      await fix.waitFor({ timeout: WAIT });
      await screenshot('quick-fix-menu');
      if (process.env.DASHM_E2E_DOCS) {
        await page.screenshot({ path: join(ARTIFACTS, 'readme-quick-fix.png') });
      }
      await fix.click();
      // Read the result back from the editor (not from disk: the buffer is not saved).
      const deadline = Date.now() + WAIT;
      let lines = await editorLines();
      while (!lines.includes('from inventory import storage')) {
        assert.ok(Date.now() < deadline, `the import is rewritten: ${JSON.stringify(lines)}`);
        await page.waitForTimeout(100); // polling the editor's text
        lines = await editorLines();
      }
      assert.equal(lines.includes('import storage'), false);
      // Its Problems row goes away once the server re-checks the unsaved buffer.
      await page.locator('.markers-panel .monaco-list-row').filter({ hasText: 'import storage' })
        .first().waitFor({ state: 'detached', timeout: WAIT });
      await screenshot('quick-fix-applied');
    }));

  test('"Ignore DM101 on this line" adds # noqa and the squiggle goes', () =>
    step('noqa', async () => {
      const before = await editorLines();
      const line = before.indexOf('from exporter import export') + 1;
      assert.ok(line > 0, `cli.py shows "from exporter import export": ${JSON.stringify(before)}`);
      await page.locator('.markers-panel .monaco-list-row').filter({ hasText: 'DM101' })
        .filter({ hasText: 'from exporter import' }).first().waitFor({ timeout: WAIT });
      const ignore = await codeActionRow(line, 10, 'Ignore DM101 on this line');
      // The project-wide one is offered too.
      await page.locator('.action-widget .monaco-list-row')
        .filter({ hasText: 'Ignore DM101 in this project (pyproject.toml)' }).first()
        .waitFor({ timeout: WAIT });
      await screenshot('noqa-menu');
      await ignore.click();
      await waitForLines('the line gets # noqa: DM101', (lines) =>
        lines.some((l) => /^from exporter import export\s+# noqa: DM101$/.test(l)));
      // cli.py has no finding left: no squiggle, no Problems row.
      await page.locator('.markers-panel .monaco-list-row')
        .filter({ hasText: 'from exporter import' }).first()
        .waitFor({ state: 'detached', timeout: WAIT });
      await page.locator('.editor-group-container.active .squiggly-warning').first()
        .waitFor({ state: 'detached', timeout: WAIT });
      await screenshot('noqa-applied');
    }));

  test('.vscode/launch.json: DM205 has its quick fix in the editor', () =>
    step('launch-json', async () => {
      await openFile('.vscode/launch.json');
      // (VS Code's own JSON validation squiggles "debugpy" here too: read dashm's row.)
      const row = page.locator('.markers-panel .monaco-list-row').filter({ hasText: 'DM205' })
        .first();
      await row.waitFor({ timeout: WAIT });
      const before = await editorLines();
      const line = before.findIndex((l) => l.includes('"program"')) + 1;
      assert.ok(line > 0, `launch.json shows "program": ${JSON.stringify(before)}`);
      const fix = await codeActionRow(line, 25, 'Launch as module inventory.cli');
      await screenshot('launch-json-quick-fix');
      await fix.click();
      await waitForLines('launch.json launches the module',
        (lines) => lines.some((l) => l.includes('"module": "inventory.cli"')) &&
          !lines.some((l) => l.includes('"program"')));
      await row.waitFor({ state: 'detached', timeout: WAIT });
      await page.keyboard.press('Control+S');
    }));

  test('a notebook: a squiggle in its cell, and the quick fix edits the cell', () =>
    step('notebook', async () => {
      await quickOpen('notebooks/explore.ipynb');  // VS Code's own ipynb notebook editor
      // A code cell is a list row of the notebook editor, with an editor of its own; VS Code
      // lays the notebook's widget over the editor group, outside the group's DOM.
      const notebook = page.locator('.monaco-workbench');
      await notebook.locator('.code-cell-row').first().waitFor({ timeout: WAIT });
      const squiggle = notebook.locator('.code-cell-row .squiggly-warning').first();
      await squiggle.waitFor({ timeout: WAIT });
      await screenshot('notebook-squiggle');
      const cellLines = () => notebook.locator('.code-cell-row .view-line').allInnerTexts()
        .then((lines) => lines.map((l) => l.replace(/\u00a0/g, ' ')));
      assert.ok((await cellLines()).includes('sys.path.insert(0, os.getcwd())'));
      // The cursor on the squiggled line of the cell, then the light bulb's menu.
      const deadline = Date.now() + WAIT;
      const seen: string[] = [];
      let fix: Locator | undefined;
      while (!fix) {
        const box = await squiggle.boundingBox();
        assert.ok(box, 'the squiggle is on screen');
        await page.mouse.click(box.x + 4, box.y + box.height / 2);
        await page.keyboard.press('Control+.');
        const candidate = page.locator('.action-widget .monaco-list-row')
          .filter({ hasText: 'Remove `sys.path.insert()` (DM103)' }).first();
        try {
          await candidate.waitFor({ timeout: 5_000 });
          fix = candidate;
        } catch {
          const widget = page.locator('.action-widget, .monaco-editor-overlaymessage').first();
          seen.push(await widget.isVisible() ? await widget.innerText() : '(no menu)');
          await page.keyboard.press('Escape');
          assert.ok(Date.now() < deadline, `the cell offers the fix; menus: ${JSON.stringify(seen)}`);
        }
      }
      await screenshot('notebook-quick-fix-menu');
      await fix.click();
      for (const until = Date.now() + WAIT; (await cellLines())
        .includes('sys.path.insert(0, os.getcwd())');) {
        assert.ok(Date.now() < until, `the cell loses the line: ${JSON.stringify(await cellLines())}`);
        await page.waitForTimeout(100); // polling the cell's text
      }
      const lines = await cellLines();
      assert.ok(lines.includes('import os, sys') && lines.includes('print(os.sep)'),
        JSON.stringify(lines));
      await notebook.locator('.code-cell-row .squiggly-warning').first()
        .waitFor({ state: 'detached', timeout: WAIT });
      await screenshot('notebook-fixed');
      // Saved (code-server saves after a delay) by VS Code's own notebook serializer.
      // The save truncates before it writes: a read can see an empty or partial file, which
      // is "not saved yet", not a failure.
      const file = join(workspace, 'notebooks', 'explore.ipynb');
      const savedNotebook = () => {
        const text = readFileSync(file, 'utf8');
        if (text.includes('sys.path')) return undefined;
        try { return JSON.parse(text); } catch { return undefined; }
      };
      let saved = savedNotebook();
      for (const until = Date.now() + WAIT; !saved; saved = savedNotebook()) {
        assert.ok(Date.now() < until, 'the fixed notebook is saved');
        await page.waitForTimeout(100); // polling the file
      }
      assert.deepEqual(saved.cells[1].source, ['import os, sys\n', 'print(os.sep)']);
    }));

  test('DM202: the fix creates __main__.py and opens it', () =>
    step('dm202-opens', async () => {
      await openFile('shop/__init__.py');
      await page.locator('.editor-group-container.active .squiggly-warning, ' +
        '.editor-group-container.active .squiggly-error, ' +
        '.editor-group-container.active .squiggly-info').first().waitFor({ timeout: WAIT });
      const fix = await codeActionRow(1, 1, 'DM202');
      await fix.click();
      await page.locator('.tab.active').filter({ hasText: '__main__.py' })
        .waitFor({ timeout: WAIT });
      await waitForLines('the created __main__.py is shown',
        (lines) => lines.some((l) => l.includes('from shop.app import main')));
      await page.keyboard.press('Control+S');
      for (const deadline = Date.now() + WAIT;
        !existsSync(join(workspace, 'shop', '__main__.py'));) {
        assert.ok(Date.now() < deadline, 'shop/__main__.py is on disk');
        await page.waitForTimeout(100); // polling the disk
      }
    }));

  test('"dashm: Run Python File as Module" runs a file with relative imports', () =>
    step('run-command', async () => {
      await openFile('inventory/report.py');
      // The status bar names the active file's module.
      const status = page.locator('.statusbar-item').filter({ hasText: 'inventory.report' });
      await status.waitFor({ timeout: WAIT });
      await runCommand('dashm: Run Python File as Module');
      await page.locator('.xterm-rows').filter({ hasText: /sample\s+1/ }).first()
        .waitFor({ timeout: WAIT });
      const text = await terminalText();
      assert.match(text, /-m inventory\.report/);
      assert.doesNotMatch(text, /ImportError|Traceback/);
      await page.locator('.tabs-list .monaco-list-row, .terminal-tab, .single-terminal-tab')
        .filter({ hasText: 'dashm: inventory.report' }).first().waitFor({ timeout: WAIT })
        .catch(async () => {
          // A single terminal shows its name in the panel's title instead of a tab list.
          await page.getByText('dashm: inventory.report').first().waitFor({ timeout: WAIT });
        });
      await screenshot('run-as-module');
      if (process.env.DASHM_E2E_DOCS) {
        await page.screenshot({ path: join(ARTIFACTS, 'readme-run-as-module.png') });
      }
    }));

  test('the CodeLens over the __main__ guard runs the module', () =>
    step('codelens', async () => {
      await openFile('tools/seed.py');
      await page.locator('.statusbar-item').filter({ hasText: 'tools.seed' })
        .waitFor({ timeout: WAIT });
      const lens = page.locator('.editor-group-container.active .codelens-decoration a')
        .filter({ hasText: 'Run as module' }).first();
      await lens.waitFor({ timeout: WAIT });
      assert.match(await lens.innerText(), /python -m tools\.seed/);
      await page.locator('.editor-group-container.active .codelens-decoration a')
        .filter({ hasText: 'Debug as module' }).first().waitFor({ timeout: WAIT });
      await lens.click();
      await page.locator('.xterm-rows').filter({ hasText: 'screws 50' }).first()
        .waitFor({ timeout: WAIT });
      await screenshot('codelens-run');
    }));

  test('one terminal per module, reused, its tab named after the module', () =>
    step('terminals', async () => {
      await openFile('inventory/report.py');
      await page.locator('.statusbar-item').filter({ hasText: 'dashm: inventory.report' })
        .waitFor({ timeout: WAIT });
      await runCommand('dashm: Run Python File as Module');
      await page.locator('.xterm-rows').filter({ hasText: /sample\s+1[\s\S]*sample\s+1/ })
        .first().waitFor({ timeout: WAIT });
      const names = await terminalNames();
      assert.equal(names.filter((n) => n.includes('dashm: inventory.report')).length, 1,
        JSON.stringify(names));
      assert.equal(names.filter((n) => n.includes('dashm: tools.seed')).length, 1,
        JSON.stringify(names));
    }));

  test('a loose file (outside the folder) runs from the palette as from its CodeLens', () =>
    step('loose-file', async () => {
      await openPath(join(loose, 'greet', 'hello.py'));
      await page.locator('.statusbar-item').filter({ hasText: 'dashm: greet.hello' })
        .waitFor({ timeout: WAIT });
      await page.locator('.editor-group-container.active .codelens-decoration a')
        .filter({ hasText: 'Run as module (python -m greet.hello)' }).first()
        .waitFor({ timeout: WAIT });
      await runCommand('dashm: Run Python File as Module');
      await page.locator('.xterm-rows').filter({ hasText: 'hello from the loose project' })
        .first().waitFor({ timeout: WAIT });
      assert.doesNotMatch(await terminalText(), /Traceback|ImportError/);
      assert.doesNotMatch(dashmLog(), /outside the workspace folders/);
      await screenshot('loose-file-run');
      // Copy Module Name on the package's __init__.py names the package.
      await openPath(join(loose, 'greet', '__init__.py'));
      await runCommand('dashm: Copy Module Name');
      await page.locator('.notification-toast').filter({ hasText: 'Copied greet' })
        .waitFor({ timeout: WAIT });
      assert.equal(await page.evaluate('navigator.clipboard.readText()'), 'greet');
      await runCommand('Notifications: Clear All Notifications');
    }));

  test('a .venv created after opening runs the next Run, without a restart', () =>
    step('new-venv', async () => {
      await openFile('tools/where.py');
      const status = page.locator('.statusbar-item').filter({ hasText: 'dashm: tools.where' });
      await status.waitFor({ timeout: WAIT });
      await runCommand('dashm: Run Python File as Module');
      const venv = join(tmp, 'venv');
      await page.locator('.xterm-rows').filter({ hasText: `PREFIX=${venv}` }).first()
        .waitFor({ timeout: WAIT });
      const starts = (dashmLog().match(/Starting: /g) ?? []).length;
      // The user makes the project's virtual environment (as in a terminal of their own).
      execFileSync(basePython, ['-m', 'venv', '--without-pip', join(workspace, '.venv')]);
      await runCommand('dashm: Run Python File as Module');
      await page.locator('.xterm-rows').filter({ hasText: `PREFIX=${join(workspace, '.venv')}` })
        .first().waitFor({ timeout: WAIT });
      assert.match(await terminalText(), /\.venv\/bin\/python -m tools\.where/);
      assert.equal((dashmLog().match(/Starting: /g) ?? []).length, starts,
        'the server was not restarted');
      // The status item's tooltip names the interpreter the run uses (hover again until the
      // item has asked the server since the .venv appeared).
      const tooltip = page.locator('.monaco-hover, .workbench-hover')
        .filter({ hasText: `Interpreter: ${join(workspace, '.venv', 'bin', 'python')}` })
        .first();
      for (const deadline = Date.now() + WAIT; ;) {
        await status.hover();
        if (await tooltip.waitFor({ timeout: 2_000 }).then(() => true, () => false)) {
          break;
        }
        assert.ok(Date.now() < deadline, 'the status tooltip names the .venv interpreter: ' +
          (await page.locator('.monaco-hover, .workbench-hover').allInnerTexts()).join(' | '));
        await page.mouse.move(700, 300);
      }
      await screenshot('new-venv-status-tooltip');
      await page.mouse.move(700, 300);
    }));

  test('"Debug Python File as Module" without a Python debugger says what is missing', () =>
    step('debug-without-debugger', async () => {
      await runCommand('dashm: Debug Python File as Module');
      const toast = page.locator('.notification-toast')
        .filter({ hasText: 'needs the Python Debugger extension (ms-python.debugpy)' });
      await toast.waitFor({ timeout: WAIT });
      assert.match(await toast.innerText(), /Run Without Debugging/);
      await screenshot('debug-without-debugger');
      await runCommand('Notifications: Clear All Notifications');
      await toast.waitFor({ state: 'detached', timeout: WAIT });
    }));

  test('"Copy Module Name" puts the module on the clipboard', () =>
    step('copy-module-name', async () => {
      await openFile('tools/seed.py');
      await runCommand('dashm: Copy Module Name');
      await page.locator('.notification-toast').filter({ hasText: 'Copied tools.seed' })
        .waitFor({ timeout: WAIT });
      assert.equal(await page.evaluate('navigator.clipboard.readText()'), 'tools.seed');
      await runCommand('Notifications: Clear All Notifications');
    }));

  test('${command:dashm.currentModule} and ...Cwd resolve in a task', () =>
    step('command-variables', async () => {
      await openFile('inventory/report.py');
      await runCommand('Tasks: Run Task', 'Select the task to run');
      await page.locator('.quick-input-list .monaco-list-row')
        .filter({ hasText: 'show current module' }).first().click();
      // The task prompt may ask how to scan its output; either way the terminal shows it.
      const row = page.locator('.quick-input-list .monaco-list-row')
        .filter({ hasText: 'Continue without scanning the task output' }).first();
      await Promise.race([
        row.waitFor({ timeout: WAIT }).then(() => row.click()).catch(() => undefined),
        page.locator('.xterm-rows').filter({ hasText: 'MODULE=inventory.report' }).first()
          .waitFor({ timeout: WAIT }),
      ]);
      const output = page.locator('.xterm-rows')
        .filter({ hasText: `MODULE=inventory.report CWD=${workspace}` }).first();
      await output.waitFor({ timeout: WAIT });
    }));

  test('"Run Package as Module" on an Explorer folder with __main__.py', () =>
    step('run-package', async () => {
      const folder = page.locator('.explorer-folders-view .monaco-list-row')
        .filter({ has: page.locator('.label-name', { hasText: /^inventory$/ }) }).first();
      await folder.waitFor({ timeout: WAIT });
      await folder.click({ button: 'right' });
      const item = page.locator('.context-view .action-item')
        .filter({ hasText: 'Run Package as Module' }).first();
      await item.waitFor({ timeout: WAIT });
      // Menus ignore a click that comes too soon after they open: focus the item, then Enter.
      await item.hover();
      await page.locator('.context-view .action-item.focused')
        .filter({ hasText: 'Run Package as Module' }).waitFor({ timeout: WAIT });
      await page.keyboard.press('Enter');
      await page.locator('.context-view .monaco-menu').waitFor({ state: 'detached',
        timeout: WAIT });
      await page.locator('.xterm-rows').filter({ hasText: 'inventory runs as a package' })
        .first().waitFor({ timeout: WAIT });
    }));

  test('dashm.statusBar, dashm.codeLens false and dashm.severity "off" hide what they say', () =>
    step('settings-off', async () => {
      await openFile('tools/seed.py');
      const status = page.locator('.statusbar-item').filter({ hasText: 'dashm: tools.seed' });
      const lens = page.locator('.editor-group-container.active .codelens-decoration a')
        .filter({ hasText: 'Run as module' });
      // seed.py's only finding: DM103 on its sys.path.insert().
      const squiggle = page.locator('.editor-group-container.active .squiggly-warning');
      await status.waitFor({ timeout: WAIT });
      await lens.first().waitFor({ timeout: WAIT });
      await squiggle.first().waitFor({ timeout: WAIT });
      const settings = join(workspace, '.vscode', 'settings.json');
      writeFileSync(settings, JSON.stringify({ 'dashm.statusBar': false, 'dashm.codeLens': false,
        'dashm.severity': { DM103: 'off' } }));
      await status.waitFor({ state: 'hidden', timeout: WAIT });
      await lens.first().waitFor({ state: 'hidden', timeout: WAIT });
      await squiggle.first().waitFor({ state: 'hidden', timeout: WAIT });
      writeFileSync(settings, '{}\n');
      await status.waitFor({ timeout: WAIT });
      await lens.first().waitFor({ timeout: WAIT });
      await squiggle.first().waitFor({ timeout: WAIT });
    }));

  test('"Fix All in Workspace": asks Apply or Preview, and applies what `check --fix` does', () =>
    step('fix-all-in-workspace', async () => {
      // What the command line would do now (writing nothing), with the server's own code.
      const env: Record<string, string | undefined> = { ...process.env,
        PYTHONPATH: join(EXTENSION, 'bundled', 'libs') };
      delete env.VIRTUAL_ENV; // the workspace's interpreter, as the server chooses it
      const diff = () => {
        try {
          execFileSync(basePython, ['-m', 'dashm', 'check', '.', '--diff'],
            { cwd: workspace, stdio: 'pipe', encoding: 'utf8', env });
          return '';
        } catch (error) {
          return String((error as { stdout?: string }).stdout ?? error); // exit 1: a diff
        }
      };
      const before = diff();
      const files = [...before.matchAll(/^\+\+\+ b\/(.+)$/gm)].map((m) => m[1]);
      assert.ok(files.length > 0, `something is left to fix: ${before}`);
      const question = page.locator('.notification-toast').filter({ hasText: 'dashm: fix ' });
      // Preview: VS Code's Refactor Preview lists the files; Discard leaves them as they are.
      await runCommand('dashm: Fix All in Workspace');
      await question.getByRole('button', { name: 'Preview' }).click({ timeout: WAIT });
      const panel = page.locator('.bulk-edit-panel').first();
      const first = files[0].split('/').pop() ?? files[0];
      await panel.locator('.monaco-list-row').filter({ hasText: first }).first()
        .waitFor({ timeout: WAIT });
      await screenshot('fix-all-preview');
      await panel.getByRole('button', { name: 'Discard' }).click();
      await panel.waitFor({ state: 'hidden', timeout: WAIT });
      assert.equal(diff(), before, 'nothing is written by a preview');
      // Apply: one edit; saved, the files are what `check --fix` makes of them.
      await runCommand('dashm: Fix All in Workspace');
      await question.getByRole('button', { name: 'Apply' }).click({ timeout: WAIT });
      await runCommand('File: Save All'); // edits of open files land in their editors
      for (const deadline = Date.now() + WAIT; diff() !== '';) {
        assert.ok(Date.now() < deadline, `--fix has nothing left to do: ${diff()}`);
        await page.waitForTimeout(200); // polling the files
        await runCommand('File: Save All');
      }
    }));

  test('"Restart Server": a clean restart, no error in the log', () =>
    step('restart', async () => {
      const starts = (dashmLog().match(/Starting: /g) ?? []).length;
      await runCommand('dashm: Restart Server');
      for (const deadline = Date.now() + WAIT;
        (dashmLog().match(/Starting: /g) ?? []).length <= starts;) {
        assert.ok(Date.now() < deadline, 'the server starts again');
        await page.waitForTimeout(100); // polling the log file
      }
      await page.locator('.statusbar-item').filter({ hasText: 'dashm: tools.seed' })
        .waitFor({ timeout: WAIT });
      const log = await waitForLog('the old server exits', /exited cleanly/);
      assert.doesNotMatch(log, /Server process exited with code/);
      assert.doesNotMatch(log, /\[error\]|\[Error\s+-/, 'no error in the dashm log');
    }));

  test('a missing interpreter: the server restarts, a notification offers the logs', () =>
    step('missing-interpreter', async () => {
      // Change dashm.interpreter in the Settings editor, as a user would.
      const missing = join(tmp, 'no-such-venv', 'bin', 'python');
      await runCommand('Preferences: Open User Settings');
      await page.locator('.settings-editor .settings-header .monaco-editor.focused')
        .waitFor({ timeout: WAIT }); // the search box has the focus
      await page.keyboard.type('dashm.interpreter');
      const box = page.locator('.settings-editor .setting-item-text')
        .filter({ hasText: 'Python extension is not installed' }).locator('input').first();
      await box.waitFor({ timeout: WAIT });
      await box.fill(missing);
      await box.press('Tab');
      const toast = page.locator('.notification-toast')
        .filter({ hasText: 'dashm cannot find the Python interpreter' });
      await toast.waitFor({ timeout: WAIT });
      assert.ok((await toast.innerText()).includes(missing), 'the toast names the path');
      // Said once, by the extension: the server being replaced did not report the new setting
      // too (whatever it said would be in the log before the extension's own line).
      let log = dashmLog();
      for (const deadline = Date.now() + WAIT; !log.includes('cannot find the Python interpreter');
        log = dashmLog()) {
        assert.ok(Date.now() < deadline, 'the dashm log file gets the message');
        await page.waitForTimeout(100); // polling the log file
      }
      assert.ok(!log.includes('pass --python'), 'the old server reported the setting too');
      await page.waitForTimeout(500); // a second notification would show within this
      const toasts = page.locator('.notification-toast');
      assert.equal(await toasts.count(), 1, (await toasts.allInnerTexts()).join('\n---\n'));
      await toast.getByRole('button', { name: 'Show Logs' }).click();
      await page.locator('.part.panel .monaco-editor .view-lines')
        .filter({ hasText: 'cannot find the Python interpreter' }).first()
        .waitFor({ timeout: WAIT });
      // Back in a Python file, the status bar says the server is not running.
      await openFile('tools/seed.py');
      await page.locator('.statusbar-item[aria-label="dashm server not running"], ' +
        '.statusbar-item [aria-label="dashm server not running"]').first()
        .waitFor({ timeout: WAIT });
      await screenshot('missing-interpreter-logs');
      // A command that needs the server says why once: the same notification, not a second
      // "server is not running" beside it.
      await runCommand('dashm: Run Python File as Module');
      await waitForLog('the command failed', /dashm\.runFileAsModule: /);
      await toast.waitFor({ timeout: WAIT });
      await page.waitForTimeout(500); // a second notification would show within this
      assert.equal(await toasts.count(), 1, (await toasts.allInnerTexts()).join('\n---\n'));
    }));

  after(() => {
    if (process.env.DASHM_E2E_DOCS) {
      const images = join(REPOSITORY, 'docs', 'images');
      mkdirSync(images, { recursive: true });
      for (const name of ['readme-quick-fix.png', 'readme-run-as-module.png']) {
        if (existsSync(join(ARTIFACTS, name))) {
          copyFileSync(join(ARTIFACTS, name), join(images, name.replace('readme-', 'vscode-')));
        }
      }
    }
  });
});
