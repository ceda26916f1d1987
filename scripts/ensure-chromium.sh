#!/usr/bin/env bash
# Makes sure a Chromium the console's browser tests can drive is installed: Debian's
# `chromium` package at /usr/bin/chromium. The browser tests (console/browser_test.go)
# run this first, so a fresh CI machine installs it by itself; when that is impossible
# this script says exactly why and exits non-zero, and the test fails with its output.
# CHROMIUM_PATH pointing at an existing executable skips the install.
set -euo pipefail

if [[ -n "${CHROMIUM_PATH:-}" && -x "${CHROMIUM_PATH}" ]]; then
  echo "Chromium: using CHROMIUM_PATH=${CHROMIUM_PATH}" >&2
  exit 0
fi
# The console speaks Simplified Chinese first: without a CJK font its screenshots show
# boxes. A missing font is worth a warning, never a failure.
has_cjk_font() { command -v fc-list >/dev/null 2>&1 && [[ -n "$(fc-list :lang=zh 2>/dev/null)" ]]; }
ensure_cjk_font() {
  has_cjk_font && return 0
  if [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null 2>&1; then
    echo "No CJK font; installing fonts-wqy-zenhei for readable screenshots ..." >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends fonts-wqy-zenhei >/dev/null 2>&1 ||
      echo "warning: could not install fonts-wqy-zenhei; Chinese text will render as boxes in screenshots" >&2
  else
    echo "warning: no CJK font installed; Chinese text will render as boxes in screenshots" >&2
  fi
}

if [[ -x /usr/bin/chromium ]]; then
  ensure_cjk_font
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "Chromium is missing (/usr/bin/chromium) and apt-get is not available on this machine;" >&2
  echo "install Chromium by hand and set CHROMIUM_PATH to its executable." >&2
  exit 1
fi
if [[ "$(id -u)" != 0 ]]; then
  echo "Chromium is missing (/usr/bin/chromium) and installing it needs root:" >&2
  echo "  sudo apt-get update && sudo apt-get install -y chromium" >&2
  exit 1
fi

echo "Chromium is missing; installing Debian's chromium package (takes a minute) ..." >&2
export DEBIAN_FRONTEND=noninteractive
log=$(mktemp)
trap 'rm -f "$log"' EXIT
if ! apt-get update >"$log" 2>&1; then
  echo "apt-get update failed; its output:" >&2
  tail -n 30 "$log" >&2
  exit 1
fi
if ! apt-get install -y --no-install-recommends chromium >"$log" 2>&1; then
  echo "apt-get install -y chromium failed; its output:" >&2
  tail -n 30 "$log" >&2
  exit 1
fi
if [[ ! -x /usr/bin/chromium ]]; then
  echo "apt-get installed the chromium package but /usr/bin/chromium is still missing." >&2
  exit 1
fi
echo "Chromium installed: $(/usr/bin/chromium --version 2>/dev/null || echo /usr/bin/chromium)" >&2
ensure_cjk_font
