import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, test } from 'node:test';

import { interpreterPath, SERVER_KEYS, serverSettings, substitute } from '../../src/settings';

/** The repository: the first folder above this test that holds server/dashm. */
function repository(): string {
  let folder = __dirname;
  while (!existsSync(join(folder, 'server', 'dashm'))) {
    assert.notEqual(dirname(folder), folder, 'the repository holding server/dashm');
    folder = dirname(folder);
  }
  return folder;
}

const ROOT = repository();
const context = { folder: '/w/proj', home: '/home/me', env: { VENV: '/opt/venv' } };

describe('settings mapping', () => {
  test('the server\'s keys pass through; the interpreter is resolved', () => {
    const stored: Record<string, unknown> = {
      importStyle: 'relative', roots: ['services'], select: ['DM1'], ignore: ['DM104'],
      interpreter: '${workspaceFolder}/.venv/bin/python', 'trace.server': 'verbose',
    };
    assert.deepEqual(serverSettings((key) => stored[key], context), {
      importStyle: 'relative', roots: ['services'], select: ['DM1'], ignore: ['DM104'],
      interpreter: '/w/proj/.venv/bin/python',
    });
  });

  test('defaults: null import style and blank interpreter reach the server as null', () => {
    const defaults: Record<string, unknown> = {
      importStyle: null, roots: [], select: [], ignore: [], interpreter: '',
    };
    assert.deepEqual(serverSettings((key) => defaults[key], context), {
      importStyle: null, roots: [], select: [], ignore: [], interpreter: null,
    });
  });

  test('invalid values are passed on for the server to report', () => {
    const bad: Record<string, unknown> = { importStyle: 'sideways', select: 'DM101, DM2' };
    assert.deepEqual(serverSettings((key) => bad[key], context),
      { importStyle: 'sideways', select: 'DM101, DM2' });
  });

  test('variables and ~ in the interpreter path', () => {
    assert.equal(substitute('${userHome}/py', context), '/home/me/py');
    assert.equal(substitute('~/py/bin/python', context), '/home/me/py/bin/python');
    assert.equal(substitute('${env:VENV}/bin/python', context), '/opt/venv/bin/python');
    assert.equal(substitute('${workspaceFolderBasename}', context), 'proj');
    assert.equal(interpreterPath('.venv/bin/python', context), '/w/proj/.venv/bin/python');
    assert.equal(interpreterPath('/usr/bin/python3', context), '/usr/bin/python3');
    assert.equal(interpreterPath('   ', context), undefined);
    assert.equal(interpreterPath(42, context), undefined);
    // No folder: ${workspaceFolder} stays as written, a relative path is not invented.
    assert.equal(interpreterPath('${workspaceFolder}/py', { home: '/h', env: {} }),
      '${workspaceFolder}/py');
  });
});

describe('package.json mirrors the server', () => {
  const manifest = JSON.parse(readFileSync(join(ROOT, 'vscode-extension', 'package.json'),
    'utf8'));
  const properties = manifest.contributes.configuration.properties as
    Record<string, { default: unknown; markdownDescription?: string; description?: string }>;
  const serverSettingsPy = readFileSync(join(ROOT, 'server', 'dashm', 'lsp', 'settings.py'),
    'utf8');

  test('every server key is a documented dashm.* setting with the server\'s default', () => {
    const serverDefaults: Record<string, unknown> = {
      importStyle: null, roots: [], select: [], ignore: [], interpreter: '',
    };
    for (const key of SERVER_KEYS) {
      assert.ok(serverSettingsPy.includes(`"${key}"`), `settings.py reads ${key}`);
      const property = properties[`dashm.${key}`];
      assert.ok(property, `dashm.${key} is contributed`);
      assert.ok((property.markdownDescription ?? property.description ?? '').length > 20);
      assert.deepEqual(property.default, serverDefaults[key]);
    }
    assert.deepEqual(Object.keys(properties).sort(),
      [...SERVER_KEYS.map((k) => `dashm.${k}`), 'dashm.trace.server'].sort());
  });

  test('the version is the server\'s', () => {
    const init = readFileSync(join(ROOT, 'server', 'dashm', '__init__.py'), 'utf8');
    assert.equal(init.match(/__version__ = "([^"]+)"/)?.[1], manifest.version);
  });

  test('the extension does not contribute the server\'s client-side command ids', () => {
    const ids = (manifest.contributes.commands as { command: string }[]).map((c) => c.command);
    for (const serverId of ['dashm.runModule', 'dashm.debugModule', 'dashm.moduleInvocation',
      'dashm.fixAll']) {
      assert.equal(ids.includes(serverId), false, serverId);
    }
  });
});
