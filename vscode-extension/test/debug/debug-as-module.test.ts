/**
 * End-to-end, with the real debugger: dashm's "Debug as module" in a real VS Code
 * (code-server 4.139.1, headless Chromium through playwright-core), launched by debugpy's own
 * debug adapter (`python -m debugpy.adapter` on stdio, debugpy from the package index) through a
 * test-only extension (test/debug/adapter-extension/, never packaged into dashm's .vsix) that
 * registers the `debugpy` debug type as the Python Debugger extension does (which cannot be
 * installed here).
 *
 * On a package module with a relative import, each of the three ways in stops at a breakpoint
 * inside the module, the call stack shows the module's frames, and continuing prints its output:
 * (a) the "Debug as module" CodeLens, (b) the dynamic configuration "Python: Current File as
 * Module", (c) a launch.json configuration using ${command:dashm.currentModule}.
 *
 * Run by test/debug/run.sh (from .ci/run). Needs CODE_SERVER, NODE24_BIN, CHROMIUM
 * (scripts/e2e-setup.sh), dashm's .vsix (npm run package) and DASHM_DEBUGPY_PYTHON: a Python
 * with debugpy installed, which runs the adapter (default python3).
 */

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync,
  writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { eventually, EXTENSION, VSIX, WAIT, Workbench } from '../support/codeServer';

const ARTIFACTS = join(EXTENSION, 'test-artifacts', 'debug');
const DEBUGPY_LOGS = join(ARTIFACTS, 'debugpy');
const ADAPTER_EXTENSION = join(EXTENSION, 'test', 'debug', 'adapter-extension');
const ADAPTER_PYTHON = process.env.DASHM_DEBUGPY_PYTHON ?? 'python3';
const BREAKPOINT_LINE = 6;
const OUTPUT = 'DEBUGGED hello, module';
const LAUNCH_NAME = 'Debug the current module (launch.json)';
/** The placeholder of "Debug: Select and Start Debugging"'s quick pick (VS Code 1.139). */
const PICK_LAUNCH = 'Type the name of a launch configuration to run.';

const FILES: Record<string, string> = {
  'pyproject.toml': '[project]\nname = "greeter"\nversion = "0"\n',
  'greeter/__init__.py': '',
  'greeter/helper.py': 'def greet(who):\n    return f"hello, {who}"\n',
  // A relative import: this file fails as `python greeter/main.py`, works only as a module.
  'greeter/main.py': [
    'from .helper import greet',
    '',
    '',
    'def main():',
    '    message = greet("module")',
    `    print(f"DEBUGGED {message}")  # line ${BREAKPOINT_LINE}: the breakpoint`,
    '',
    '',
    'if __name__ == "__main__":',
    '    main()',
    '',
  ].join('\n'),
  '.vscode/launch.json': JSON.stringify({
    version: '0.2.0',
    configurations: [{
      name: LAUNCH_NAME, type: 'debugpy', request: 'launch',
      module: '${command:dashm.currentModule}', cwd: '${command:dashm.currentModuleCwd}',
      console: 'integratedTerminal', justMyCode: true,
    }],
  }, null, 2),
};

let tmp: string;
let workspace: string;
let projectPython: string;
let vs: Workbench;

/** Picks the row of the open quick pick whose text contains `label`. */
async function pick(label: string): Promise<void> {
  const row = vs.page.locator('.quick-input-list .monaco-list-row').filter({ hasText: label })
    .first();
  await row.waitFor({ state: 'visible', timeout: WAIT });
  await row.click();
}

/** The `launch` requests VS Code sent to debugpy's adapter, from the adapter's logs. */
function launchRequests(): Record<string, unknown>[] {
  const found: Record<string, unknown>[] = [];
  if (!existsSync(DEBUGPY_LOGS)) {
    return found;
  }
  for (const name of readdirSync(DEBUGPY_LOGS)) {
    if (!name.startsWith('debugpy.adapter')) {
      continue;
    }
    // One entry a message: a header line (`D+00000.085: ...`), then `Client[1] --> {...}`.
    const entries = readFileSync(join(DEBUGPY_LOGS, name), 'utf8').split(/\n(?=[DIWE]\+\d)/);
    for (const entry of entries) {
      const json = /Client\[\d+\] --> (\{[\s\S]*\})\s*$/.exec(entry);
      const message = json ? JSON.parse(json[1]) : undefined;
      if (message?.type === 'request' && message.command === 'launch') {
        found.push(message.arguments);
      }
    }
  }
  return found;
}

/**
 * Starts a session (`start`), waits for it to stop at the breakpoint in greeter/main.py: paused on a breakpoint,
 * the top frame `main` at its line in greeter/main.py, the module's own frame (`<module>`)
 * below it, the line marked in the editor; the adapter was asked to launch the module
 * greeter.main from the workspace folder (on the interpreter `python`, when given), by a
 * configuration called `session`. Then continues and waits for the program's output in the
 * terminal and for the session's end.
 */
async function stopsAtTheBreakpointThenPrints(name: string, session: string,
  start: () => Promise<void>, python?: string): Promise<void> {
  const page = vs.page;
  const before = launchRequests().filter((r) => r.name === session).length;
  await start();
  // The state is in the Call Stack's title with one session, on the session's row with more.
  await page.locator('.call-stack-state-message, .debug-call-stack .monaco-list-row')
    .filter({ hasText: /Paused on breakpoint/i }).first().waitFor({ timeout: WAIT });
  // The top frame `main` at the breakpoint, the module's own frame below it (the rows fill in
  // one by one).
  const frames = page.locator('.debug-call-stack .monaco-list-row .stack-frame');
  await eventually('the call stack shows main at the breakpoint, then the module',
    () => frames.evaluateAll((rows) => rows.map((row) =>
      (row.textContent ?? '').replace(/\s+/g, ' ').trim())),
    (rows) => rows.length >= 2
      && new RegExp(`^main\\s*main\\.py\\s*${BREAKPOINT_LINE}:\\d+$`).test(rows[0])
      && rows.some((row) => /^<module>\s*main\.py\s*\d+:\d+$/.test(row)));
  // The editor shows the stopped line in the package module: greeter/main.py (its breadcrumbs).
  await page.locator('.editor-group-container.active .debug-top-stack-frame-line').first()
    .waitFor({ timeout: WAIT });
  await eventually('the stopped frame\'s file is greeter/main.py',
    () => page.locator('.editor-group-container.active .breadcrumbs-control').first()
      .innerText(), (text) => /greeter\W+main\.py/.test(text));
  // What VS Code asked the adapter for: a module launch, every variable resolved.
  const requests = launchRequests().filter((r) => r.name === session);
  assert.equal(requests.length, before + 1,
    `one launch of "${session}" reached the adapter: ${JSON.stringify(launchRequests())}`);
  const launch = requests[requests.length - 1];
  assert.equal(launch.module, 'greeter.main');
  assert.equal(launch.cwd, workspace);
  assert.equal('program' in launch, false);
  if (python !== undefined) {
    assert.equal(launch.python, python, 'the debuggee runs on the project\'s interpreter');
  }
  await vs.screenshot(`${name}-stopped`);
  await vs.runCommand('Debug: Continue');
  await page.locator('.xterm-rows').filter({ hasText: OUTPUT }).first()
    .waitFor({ timeout: WAIT });
  const terminal = await vs.terminalText();
  assert.doesNotMatch(terminal, /ImportError|Traceback/);
  await page.locator('.debug-toolbar').waitFor({ state: 'hidden', timeout: WAIT });
  await vs.screenshot(`${name}-printed`);
  // A fresh terminal for the next session, so the output it waits for is its own.
  await vs.runCommand('Terminal: Kill All Terminals');
  await page.locator('.xterm-rows').filter({ hasText: OUTPUT }).first()
    .waitFor({ state: 'detached', timeout: WAIT });
}

describe('Debug as module with debugpy (code-server)', { timeout: 300_000 }, () => {
  before(async () => {
    try {
      execFileSync(ADAPTER_PYTHON, ['-c', 'import debugpy.adapter'], { stdio: 'pipe' });
    } catch {
      assert.fail(`${ADAPTER_PYTHON} has no debugpy: pip install debugpy, or set ` +
        'DASHM_DEBUGPY_PYTHON to a Python that has it');
    }
    tmp = mkdtempSync(join(tmpdir(), 'dashm-debug-'));
    workspace = join(tmp, 'greeter-project');
    for (const [path, text] of Object.entries(FILES)) {
      mkdirSync(dirname(join(workspace, path)), { recursive: true });
      writeFileSync(join(workspace, path), text);
    }
    // The test-only stand-in for the Python Debugger, packaged here (never with dashm).
    const adapterVsix = join(tmp, 'debugpy-adapter-for-tests.vsix');
    execFileSync(join(EXTENSION, 'node_modules', '.bin', 'vsce'), ['package',
      '--no-dependencies', '--skip-license', '--allow-missing-repository', '-o', adapterVsix],
    { cwd: ADAPTER_EXTENSION, stdio: 'pipe' });
    // The project's interpreter (the server's and, for "Debug as module", the debuggee's):
    // nothing installed, not even debugpy, which the adapter brings to the debuggee itself.
    const venv = join(tmp, 'venv');
    execFileSync(process.env.DASHM_E2E_BASE_PYTHON ?? 'python3',
      ['-m', 'venv', '--without-pip', venv]);
    projectPython = join(venv, 'bin', 'python');
    assert.throws(() => execFileSync(projectPython, ['-c', 'import debugpy'],
      { stdio: 'ignore' }));

    vs = new Workbench({
      tmp, workspace, artifacts: ARTIFACTS, vsixes: [VSIX, adapterVsix],
      settings: {
        'debug.toolBarLocation': 'floating',
        // The program's output is in the terminal: keep the Debug Console from covering it.
        'debug.internalConsoleOptions': 'neverOpen',
        'dashm.interpreter': projectPython,
      },
      // The adapter's and the debuggee's logs, for a failure's report.
      env: { DASHM_DEBUGPY_PYTHON: ADAPTER_PYTHON, DEBUGPY_LOG_DIR: DEBUGPY_LOGS },
    });
    await vs.start();
  });

  after(async () => {
    await vs?.stop();
    if (tmp) {
      rmSync(tmp, { recursive: true, force: true });
    }
  });

  test('a breakpoint in the package module', () => vs.step('breakpoint', async () => {
    const page = vs.page;
    await vs.openFile('greeter/main.py');
    await page.locator('.statusbar-item').filter({ hasText: 'greeter.main' })
      .waitFor({ timeout: WAIT });
    await page.locator('.editor-group-container.active .monaco-editor .view-lines').first()
      .click();
    await page.keyboard.press('Control+G');
    await page.locator('.quick-input-widget input').fill(`:${BREAKPOINT_LINE}`);
    await page.keyboard.press('Enter');
    await vs.runCommand('Debug: Toggle Breakpoint');
    await page.locator('.editor-group-container.active .codicon-debug-breakpoint').first()
      .waitFor({ timeout: WAIT });
  }));

  test('(a) the "Debug as module" CodeLens stops there and runs to the end', () =>
    vs.step('codelens', () => stopsAtTheBreakpointThenPrints('codelens',
      'Python: greeter.main (as module)', async () => {
        const lens = vs.page.locator('.editor-group-container.active .codelens-decoration a')
          .filter({ hasText: 'Debug as module' }).first();
        await lens.waitFor({ timeout: WAIT });
        await lens.click();
      }, projectPython)));

  test('(b) the dynamic "Python: Current File as Module" configuration', () =>
    vs.step('dynamic', () => stopsAtTheBreakpointThenPrints('dynamic',
      'Python: Current File as Module', async () => {
        await vs.openFile('greeter/main.py');
        await vs.runCommand('Debug: Select and Start Debugging', PICK_LAUNCH);
        // Dynamic configurations are behind "More <debugger label> options...".
        await pick('debugpy (test)');
        await pick('Python: Current File as Module');
      })));

  test('(c) ${command:dashm.currentModule} in launch.json', () =>
    vs.step('launch-json', () => stopsAtTheBreakpointThenPrints('launch-json', LAUNCH_NAME,
      async () => {
        await vs.openFile('greeter/main.py');
        await vs.runCommand('Debug: Select and Start Debugging', PICK_LAUNCH);
        await pick(LAUNCH_NAME);
      })));
});
