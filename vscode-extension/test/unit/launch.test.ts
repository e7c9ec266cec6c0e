import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { isTooOld, parseProbe, serverProcess } from '../../src/launch';

const info = (version: [number, number, number]) => ({ executable: '/usr/bin/python3', version });

describe('server process', () => {
  test('Python 3.11+: -P, run from the extension folder, bundled libs first', () => {
    const spawn = serverProcess('/usr/bin/python3', info([3, 12, 1]), '/ext',
      { PYTHONPATH: '/mine:/other', HOME: '/home/me', UNSET: undefined }, undefined, ':');
    assert.equal(spawn.command, '/usr/bin/python3');
    assert.deepEqual(spawn.args, ['-P', '-m', 'dashm', 'serve']);
    assert.equal(spawn.cwd, '/ext');
    assert.equal(spawn.env.PYTHONPATH, '/ext/bundled/libs:/mine:/other');
    assert.equal(spawn.env.DASHM_BUNDLED_LIBS, '/ext/bundled/libs');
    assert.equal(spawn.env.HOME, '/home/me');
    assert.equal('UNSET' in spawn.env, false);
  });

  test('Python 3.10 has no -P; the folder is still the extension\'s', () => {
    const spawn = serverProcess('python3', info([3, 10, 12]), '/ext', {}, undefined, ':');
    assert.deepEqual(spawn.args, ['-m', 'dashm', 'serve']);
    assert.equal(spawn.env.PYTHONPATH, '/ext/bundled/libs');
  });

  test('the Python extension\'s choice is also the project\'s interpreter', () => {
    const spawn = serverProcess('/w/.venv/bin/python', info([3, 13, 0]), '/ext', {},
      '/w/.venv/bin/python', ':');
    assert.deepEqual(spawn.args, ['-P', '-m', 'dashm', 'serve', '--python',
      '/w/.venv/bin/python']);
  });

  test('DASHM_DEBUGPY_PORT runs the server under debugpy, listening on loopback', () => {
    const spawn = serverProcess('python3', info([3, 12, 0]), '/ext',
      { DASHM_DEBUGPY_PORT: '5678' }, undefined, ':');
    assert.deepEqual(spawn.args, ['-P', '-m', 'debugpy', '--listen', '127.0.0.1:5678', '-m',
      'dashm', 'serve']);
    const ignored = serverProcess('python3', info([3, 12, 0]), '/ext',
      { DASHM_DEBUGPY_PORT: 'yes' }, undefined, ':');
    assert.deepEqual(ignored.args, ['-P', '-m', 'dashm', 'serve']);
  });

  test('a restart does not stack the bundled entry twice', () => {
    const first = serverProcess('python3', info([3, 11, 0]), '/ext', {}, undefined, ':');
    const second = serverProcess('python3', info([3, 11, 0]), '/ext', first.env, undefined, ':');
    assert.equal(second.env.PYTHONPATH, '/ext/bundled/libs');
  });
});

describe('probe', () => {
  test('reads the probe\'s JSON line, ignoring noise before it', () => {
    assert.deepEqual(parseProbe('sitecustomize says hi\n{"executable": "/p", "version": [3, 9, 1]}\n'),
      { executable: '/p', version: [3, 9, 1] });
    assert.equal(parseProbe('Python 2.7.18'), undefined);
    assert.equal(parseProbe(''), undefined);
  });

  test('3.10 is the oldest Python that will do', () => {
    assert.equal(isTooOld(info([3, 9, 18])), true);
    assert.equal(isTooOld(info([2, 7, 18])), true);
    assert.equal(isTooOld(info([3, 10, 0])), false);
    assert.equal(isTooOld(info([4, 0, 0])), false);
  });
});
