import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';

import {
  CLIENT_KEYS, interpreterPath, SERVER_KEYS, serverSettings, substitute,
} from '../../src/settings';
import { REPOSITORY } from '../support/repository';

const ROOT = REPOSITORY;
const context = { folder: '/w/proj', home: '/home/me', env: { VENV: '/opt/venv' } };

describe('settings mapping', () => {
  test('the server\'s keys pass through; the interpreter is resolved', () => {
    const stored: Record<string, unknown> = {
      importStyle: 'relative', roots: ['services'], select: ['DM1'], ignore: ['DM104'],
      interpreter: '${workspaceFolder}/.venv/bin/python', 'trace.server': 'verbose',
      enable: false, severity: { DM101: 'error', DM2: 'off' }, exclude: ['legacy/**'],
      codeLens: false, statusBar: false, notebookRoot: '${workspaceFolder}',
    };
    assert.deepEqual(serverSettings((key) => stored[key], context), {
      importStyle: 'relative', roots: ['services'], select: ['DM1'], ignore: ['DM104'],
      interpreter: '/w/proj/.venv/bin/python', enable: false,
      severity: { DM101: 'error', DM2: 'off' }, exclude: ['legacy/**'], codeLens: false,
      // The server resolves it per notebook (`${fileDirname}` is the notebook's folder).
      notebookRoot: '${workspaceFolder}',
    });
  });

  test('defaults: "project" import style passes, a blank interpreter reaches it as null', () => {
    const defaults: Record<string, unknown> = {
      importStyle: 'project', roots: [], select: [], ignore: [], interpreter: '', enable: true,
      severity: {}, exclude: [], codeLens: true, notebookRoot: '',
    };
    assert.deepEqual(serverSettings((key) => defaults[key], context), {
      importStyle: 'project', roots: [], select: [], ignore: [], interpreter: null,
      enable: true, severity: {}, exclude: [], codeLens: true, notebookRoot: '',
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
      importStyle: 'project', roots: [], select: [], ignore: [], interpreter: '', enable: true,
      severity: {}, exclude: [], codeLens: true, notebookRoot: '',
    };
    for (const key of SERVER_KEYS) {
      assert.ok(serverSettingsPy.includes(`"${key}"`), `settings.py reads ${key}`);
      const property = properties[`dashm.${key}`];
      assert.ok(property, `dashm.${key} is contributed`);
      assert.ok((property.markdownDescription ?? property.description ?? '').length > 20);
      assert.deepEqual(property.default, serverDefaults[key]);
    }
    assert.deepEqual(Object.keys(properties).sort(),
      [...SERVER_KEYS, ...CLIENT_KEYS].map((k) => `dashm.${k}`).sort());
  });

  test('every description is Markdown, and no plain-text one shows raw backticks', () => {
    const plain: string[] = [manifest.description,
      manifest.capabilities.untrustedWorkspaces.description];
    const walk = (key: string, schema: Record<string, unknown>) => {
      assert.equal(schema.description, undefined, `${key} uses markdownDescription`);
      assert.equal(schema.enumDescriptions, undefined, `${key} uses markdownEnumDescriptions`);
      if (schema.enum) {
        assert.ok(!(schema.enum as unknown[]).includes(null), `${key} offers no literal null`);
      }
      for (const [name, sub] of Object.entries(
        (schema.properties ?? {}) as Record<string, Record<string, unknown>>)) {
        walk(`${key}.${name}`, sub);
      }
    };
    for (const [key, schema] of Object.entries(properties)) {
      assert.ok(schema.markdownDescription, `${key} has a markdownDescription`);
      walk(key, schema as unknown as Record<string, unknown>);
    }
    for (const text of plain) {
      assert.doesNotMatch(text, /`/);
    }
  });

  test('dashm.severity offers every code of the rules page, each with the five levels', () => {
    const rules = readFileSync(join(ROOT, 'server', 'dashm', 'docs', 'rules.md'), 'utf8');
    const codes = [...rules.matchAll(/^## (DM\d{3}) /gm)].map((m) => m[1]);
    assert.ok(codes.length >= 10);
    const severity = properties['dashm.severity'] as unknown as {
      properties: Record<string, { enum: string[] }>; additionalProperties: { enum: string[] };
    };
    assert.deepEqual(Object.keys(severity.properties).sort(), codes.sort());
    // The server's SEVERITIES, in its order.
    const levels = [...(serverSettingsPy.match(/^SEVERITIES = \(([^)]*)\)/m)?.[1] ?? '')
      .matchAll(/"(\w+)"/g)].map((m) => m[1]);
    assert.deepEqual(levels, ['error', 'warning', 'information', 'hint', 'off']);
    for (const code of codes) {
      assert.deepEqual(severity.properties[code].enum, levels, code);
    }
    assert.deepEqual(severity.additionalProperties.enum, levels);
  });

  test('the icon is a packaged PNG', () => {
    const icon = readFileSync(join(ROOT, 'vscode-extension', manifest.icon));
    assert.equal(icon.subarray(1, 4).toString(), 'PNG');
    assert.equal(icon.readUInt32BE(16), 128); // IHDR width
    const ignore = readFileSync(join(ROOT, 'vscode-extension', '.vscodeignore'), 'utf8');
    assert.match(ignore, new RegExp(`^!${manifest.icon.replace('.', '\\.')}$`, 'm'));
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
