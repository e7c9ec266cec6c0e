import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import {
  CURRENT_FILE_NAME, currentFileConfiguration, debugConfiguration, debuggerType,
} from '../../src/debugConfig';

const pkg = (...types: string[]) => ({
  packageJSON: { contributes: { debuggers: types.map((type) => ({ type })) } },
});

describe('debug configuration', () => {
  test('a debugpy module launch with the invocation\'s interpreter, folder and arguments', () => {
    const config = debugConfiguration({ module: 'inventory.cli', cwd: '/w/examples',
      argv: ['/w/.venv/bin/python', '-m', 'inventory.cli', 'export'], reason: null }, 'debugpy');
    assert.deepEqual(config, {
      type: 'debugpy', request: 'launch', name: 'Python: inventory.cli (as module)',
      module: 'inventory.cli', cwd: '/w/examples', python: '/w/.venv/bin/python',
      args: ['export'], console: 'integratedTerminal', justMyCode: true,
    });
    assert.equal('program' in config, false);
  });

  test('"Python: Current File as Module" asks dashm for the module and folder', () => {
    const config = currentFileConfiguration('debugpy');
    assert.equal(config.name, CURRENT_FILE_NAME);
    assert.equal(config.module, '${command:dashm.currentModule}');
    assert.equal(config.cwd, '${command:dashm.currentModuleCwd}');
    assert.equal(config.request, 'launch');
  });

  test('debuggerType: debugpy first, the old python type next, none when absent', () => {
    assert.equal(debuggerType([pkg('node'), pkg('debugpy'), pkg('python')]), 'debugpy');
    assert.equal(debuggerType([pkg('python')]), 'python');
    assert.equal(debuggerType([pkg('node', 'chrome'), { packageJSON: {} }, {}]), undefined);
    assert.equal(debuggerType([]), undefined);
  });
});
