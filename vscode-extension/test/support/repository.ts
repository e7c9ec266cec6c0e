import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The repository: the first folder above this file (source or compiled) that holds
 * server/dashm, whose sources the unit tests compare the extension with. */
function repository(): string {
  let folder = __dirname;
  while (!existsSync(join(folder, 'server', 'dashm'))) {
    assert.notEqual(dirname(folder), folder, 'the repository holding server/dashm');
    folder = dirname(folder);
  }
  return folder;
}

export const REPOSITORY = repository();
