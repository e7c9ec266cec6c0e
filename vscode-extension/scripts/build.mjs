// Builds the extension with esbuild: src/extension.ts -> dist/extension.js (one file, `vscode`
// external). --production: minified, no source map. --watch: rebuild on change.
// --tests: also test/{unit,e2e,debug}/*.test.ts -> out/test/**/*.test.js (packages left
// external; test/support/ is bundled into the tests that import it).
import * as esbuild from 'esbuild';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');
const tests = process.argv.includes('--tests');

// Lines that .vscode/tasks.json's background problem matcher waits for.
const watchLog = {
  name: 'watch-log',
  setup(build) {
    build.onStart(() => console.log('[watch] build started'));
    build.onEnd((result) => {
      for (const { text, location } of result.errors) {
        console.error(`✘ [ERROR] ${text}`);
        if (location) {
          console.error(`    ${location.file}:${location.line}:${location.column + 1}:`);
        }
      }
      console.log('[watch] build finished');
    });
  },
};

const extension = {
  entryPoints: ['src/extension.ts'],
  bundle: true,
  outfile: 'dist/extension.js',
  external: ['vscode'],
  format: 'cjs',
  platform: 'node',
  target: 'node18',
  sourcemap: !production,
  minify: production,
  logLevel: 'warning',
};

function testEntries() {
  const entries = [];
  for (const folder of ['test/unit', 'test/e2e', 'test/debug']) {
    for (const name of readdirSync(folder)) {
      if (name.endsWith('.test.ts')) {
        entries.push(join(folder, name));
      }
    }
  }
  return entries;
}

const testBuild = {
  entryPoints: tests ? testEntries() : [],
  bundle: true,
  outdir: 'out/test',
  outbase: 'test',
  packages: 'external',
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  sourcemap: 'inline',
  logLevel: 'warning',
};

if (watch) {
  const context = await esbuild.context({ ...extension, logLevel: 'silent', plugins: [watchLog] });
  await context.watch();
} else {
  await esbuild.build(extension);
  if (tests) {
    await esbuild.build(testBuild);
  }
}
