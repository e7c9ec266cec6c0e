import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import {
  asInvocation, isRunnable, moduleName, notRunnableMessage, programArgs,
} from '../../src/invocation';

const SERVER_ANSWER = { module: 'inventory.report', cwd: '/w', reason: null,
  argv: ['/usr/bin/python3', '-m', 'inventory.report'] };

describe('invocation', () => {
  test('accepts the server\'s answer as it is', () => {
    const invocation = asInvocation(SERVER_ANSWER);
    assert.deepEqual(invocation, SERVER_ANSWER);
    assert.ok(invocation && isRunnable(invocation));
  });

  test('a file that cannot run as a module: the reason is kept, not runnable', () => {
    const invocation = asInvocation({ module: null, cwd: '/w', argv: [],
      reason: 'legacy.py sits directly in its import root' });
    assert.ok(invocation);
    assert.equal(isRunnable(invocation), false);
    assert.equal(notRunnableMessage(invocation, 'legacy.py'),
      'dashm: legacy.py cannot run as a module: legacy.py sits directly in its import root');
  });

  test('a package\'s __init__.py: not runnable, but its name is the package\'s', () => {
    const invocation = asInvocation({ module: null, cwd: null, argv: [], name: 'utils.loggers',
      reason: 'utils/loggers has no __main__.py' });
    assert.ok(invocation);
    assert.equal(isRunnable(invocation), false);
    assert.equal(moduleName(invocation), 'utils.loggers');
    // An older server without `name`: the module it runs, else nothing.
    assert.equal(moduleName(asInvocation(SERVER_ANSWER)!), 'inventory.report');
    assert.equal(moduleName(asInvocation({ module: null, cwd: null, argv: [], reason: 'x' })!),
      null);
    assert.equal(asInvocation({ ...SERVER_ANSWER, name: 7 }), undefined);
  });

  test('rejects what is not an invocation', () => {
    assert.equal(asInvocation(undefined), undefined);
    assert.equal(asInvocation('inventory.report'), undefined);
    assert.equal(asInvocation({ module: 3, cwd: '/w', argv: [] }), undefined);
    assert.equal(asInvocation({ module: 'a', cwd: '/w', argv: 'python -m a' }), undefined);
  });

  test('programArgs: what follows -m module', () => {
    assert.deepEqual(programArgs({ ...SERVER_ANSWER, argv: ['py', '-m', 'a.b', 'list', '-v'] }),
      ['list', '-v']);
    assert.deepEqual(programArgs({ ...SERVER_ANSWER }), []);
  });
});
