import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';

import { DOCUMENT_SELECTOR, MAKEFILES, VSCODE_FILES } from '../../src/selector';
import { REPOSITORY } from '../support/repository';

/** A Python tuple of strings assigned to `name` in the server's source. */
function pythonStrings(source: string, name: string): string[] {
  const body = source.match(new RegExp(`^${name} = \\(([^)]*)\\)`, 'm'))?.[1];
  assert.ok(body !== undefined, `${name} is in the server's source`);
  return [...body.matchAll(/"([^"]+)"/g)].map((m) => m[1]);
}

describe('document selector', () => {
  const entrypoints = readFileSync(join(REPOSITORY, 'server', 'dashm', 'workspace',
    'entry_files.py'), 'utf8');

  test('the server\'s entry files (Makefiles, .vscode files) reach it', () => {
    assert.deepEqual([...MAKEFILES], pythonStrings(entrypoints, 'MAKEFILES'));
    assert.deepEqual([...VSCODE_FILES], pythonStrings(entrypoints, 'VSCODE_FILES'));
    const patterns = DOCUMENT_SELECTOR.map((s) => s.pattern).filter(Boolean);
    assert.deepEqual(patterns, ['**/pyproject.toml', '**/.vscode/{launch.json,tasks.json}',
      '**/{Makefile,makefile,GNUmakefile}']);
    assert.ok(DOCUMENT_SELECTOR.some((s) => s.language === 'python'));
    assert.ok(DOCUMENT_SELECTOR.every((s) => s.scheme === 'file'));
  });
});
