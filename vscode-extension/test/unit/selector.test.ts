import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';

import { DOCUMENT_SELECTOR, MAKEFILES, NOTEBOOK_TYPE, VSCODE_FILES } from '../../src/selector';
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
    const patterns = DOCUMENT_SELECTOR.map((s) => 'pattern' in s && s.pattern).filter(Boolean);
    assert.deepEqual(patterns, ['**/pyproject.toml', '**/.vscode/{launch.json,tasks.json}',
      '**/{Makefile,makefile,GNUmakefile}']);
    assert.ok(DOCUMENT_SELECTOR.some((s) => s.language === 'python'));
    assert.ok(DOCUMENT_SELECTOR.every((s) => ('scheme' in s ? s.scheme : s.notebook.scheme)
      === 'file'));
  });

  test('the Python cells of the notebooks the server syncs reach it', () => {
    const notebooks = readFileSync(join(REPOSITORY, 'server', 'dashm', 'lsp', 'notebooks.py'),
      'utf8');
    assert.match(notebooks, new RegExp(`NOTEBOOK_TYPE = "${NOTEBOOK_TYPE}"`));
    assert.ok(DOCUMENT_SELECTOR.some((s) => 'notebook' in s
      && s.notebook?.notebookType === NOTEBOOK_TYPE && s.language === 'python'));
  });
});
