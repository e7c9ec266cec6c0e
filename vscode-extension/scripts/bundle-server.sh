#!/usr/bin/env bash
# Puts the dashm server and its pure-Python libraries into bundled/libs, which the extension
# puts on PYTHONPATH when it starts `<python> -m dashm serve`. Only `py3-none-any` wheels are
# accepted (no compiled code), resolved for Python 3.10 so the result runs on 3.10 and newer.
# PYTHON (default python3) is only used to run pip.
set -euo pipefail
cd "$(dirname "$0")/.."
python="${PYTHON:-python3}"
rm -rf bundled/libs
mkdir -p bundled/libs
"$python" -m pip install --quiet --disable-pip-version-check --no-compile \
  --target bundled/libs --only-binary=:all: --implementation py --python-version 3.10 \
  --abi none --platform any -r bundled-requirements.txt
# The server itself, from this repository.
cp -R ../server/dashm bundled/libs/dashm
find bundled/libs -name __pycache__ -type d -prune -exec rm -rf {} +
rm -rf bundled/libs/bin
if find bundled/libs -name '*.so' -o -name '*.pyd' | grep -q .; then
  echo "bundle-server: compiled files in bundled/libs; only pure Python may be bundled" >&2
  exit 1
fi
echo "bundle-server: $(ls bundled/libs | tr '\n' ' ')"
