#!/usr/bin/env bash
# Rebuild api/static/vendor/query-editor.js (and its LICENSES.txt) from entry.js with the npm packages
# pinned in package-lock.json. Needs node and npm; the result is committed, so neither is needed
# to install or run vankien. Usage: tools/query-editor/build.sh
set -euo pipefail
cd "$(dirname "$0")"
npm ci --no-audit --no-fund --ignore-scripts >/dev/null
./node_modules/.bin/esbuild entry.js --bundle --minify --format=iife --target=es2020 \
  --legal-comments=none --outfile=../../api/static/vendor/query-editor.js
node licenses.mjs > ../../api/static/vendor/query-editor.LICENSES.txt
echo "built api/static/vendor/query-editor.js ($(wc -c < ../../api/static/vendor/query-editor.js) bytes)"
