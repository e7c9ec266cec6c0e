#!/usr/bin/env bash
# The "Debug as module" end-to-end test with the real debugger (debugpy's own adapter) in
# code-server: test/debug/debug-as-module.test.ts. Called by .ci/run after scripts/ci.sh, which
# has installed node_modules and packaged the .vsix (packaged here too when it is missing).
# PYTHON: a Python with debugpy installed (the [test] extra has it), which runs the adapter;
# default python3. Screenshots, code-server's, VS Code's and debugpy's logs go to
# vscode-extension/test-artifacts/debug/.
set -euo pipefail
cd "$(dirname "$0")/../.."
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
start=$SECONDS
python="${PYTHON:-python3}"
DASHM_DEBUGPY_PYTHON="$("$python" -c 'import sys; print(sys.executable)')"
if ! "$DASHM_DEBUGPY_PYTHON" -c 'import debugpy' 2>/dev/null; then
  echo "debug e2e: $DASHM_DEBUGPY_PYTHON has no debugpy (pip install -e '.[test]')" >&2
  exit 1
fi
export DASHM_DEBUGPY_PYTHON
[ -d node_modules ] || npm ci --no-audit --no-fund --loglevel=error
version="$(node -p 'require("./package.json").version')"
if [ -z "${DASHM_VSIX:-}" ] && [ ! -s "dashm-$version.vsix" ]; then
  echo "== debug e2e: package the .vsix"
  PYTHON="$python" npm run --silent package >/dev/null
fi
vsix="${DASHM_VSIX:-dashm-$version.vsix}"
# The test-only debugger extension must never ship: the .vsix holds no test/ files at all.
"$python" - "$vsix" <<'PY'
import sys, zipfile
names = zipfile.ZipFile(sys.argv[1]).namelist()
leaked = [n for n in names if n.startswith("extension/test/") or "adapter-extension" in n]
if leaked:
    sys.exit(f"debug e2e: {sys.argv[1]} contains test files: {leaked[:5]}")
PY
eval "$(bash scripts/e2e-setup.sh)"
export CODE_SERVER NODE24_BIN CHROMIUM
node scripts/build.mjs --tests
echo "== debug e2e: Debug as module with debugpy's adapter in code-server" \
  "(debugpy $("$DASHM_DEBUGPY_PYTHON" -c 'import debugpy; print(debugpy.__version__)'))"
if ! node --test --test-reporter=spec --test-concurrency=1 out/test/debug/; then
  echo "== debug e2e FAILED after $((SECONDS - start)) s; screenshots in" \
    "vscode-extension/test-artifacts/debug/"
  tail -n 40 test-artifacts/debug/code-server.log || true
  find test-artifacts/debug/logs \( -name dashm.log -o -name exthost.log \) \
    -exec tail -n 60 {} + 2>/dev/null || true
  find test-artifacts/debug/debugpy -name '*.log' -exec tail -n 30 {} + 2>/dev/null || true
  exit 1
fi
echo "== debug e2e: passed in $((SECONDS - start)) s"
