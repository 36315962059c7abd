#!/usr/bin/env bash
# One command on a fresh machine: create the virtualenv, install vankien, build the graph from the
# seed claims and serve the API + graph view on the embedded store. Usage: ./serve.sh [--port 8000]
set -euo pipefail
cd "$(dirname "$0")"
if [ ! -x .venv/bin/vankien ]; then
  echo "== setting up .venv (first run only)"
  python3 -m venv .venv
  .venv/bin/pip install -q --upgrade pip
  .venv/bin/pip install -q -e .
fi
.venv/bin/vankien build
exec .venv/bin/vankien serve "$@"
