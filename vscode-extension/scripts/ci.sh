#!/usr/bin/env bash
# CI for the VS Code extension (called by .ci/run): install from the lock file, type-check,
# unit tests, package the .vsix (with the server bundled), then the end-to-end test in a real
# VS Code (code-server + headless Chromium; scripts/e2e-setup.sh installs and caches those).
set -euo pipefail
cd "$(dirname "$0")/.."
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
start=$SECONDS
echo "== extension: npm ci"
npm ci --no-audit --no-fund --loglevel=error
echo "== extension: type-check and unit tests"
npm run --silent typecheck
npm test
echo "== extension: package the .vsix"
npm run --silent package >/dev/null
ls -l dashm-*.vsix
echo "== extension: end-to-end in code-server (setup is cached in ${XDG_CACHE_HOME:-$HOME/.cache}/dashm-ci)"
eval "$(bash scripts/e2e-setup.sh)"
export CODE_SERVER NODE24_BIN CHROMIUM
echo "   (ready after $((SECONDS - start)) s)"
if ! npm run --silent e2e; then
  echo "== extension: end-to-end FAILED; screenshots in vscode-extension/test-artifacts/e2e/"
  tail -n 40 test-artifacts/e2e/code-server.log || true
  find test-artifacts/e2e/logs \( -name dashm.log -o -name exthost.log \) \
    -exec tail -n 60 {} + 2>/dev/null || true
  exit 1
fi
