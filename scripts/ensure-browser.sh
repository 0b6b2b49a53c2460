#!/usr/bin/env bash
# Make sure Playwright has a Chromium to drive: its own build where it can be downloaded,
# otherwise the system packages: Debian's `chromium`, and `chromium-headless-shell`, which
# headless runs use when it is there (golive/browser.py). Installed when we are root.
set -euo pipefail
py=${1:-.venv/bin/python}
if "$py" -m golive.browser | grep -q '^playwright chromium:'; then "$py" -m golive.browser; exit 0; fi
if ! command -v chromium >/dev/null 2>&1; then
  echo "golive: trying Playwright's own Chromium download" >&2
  if timeout 180 "$py" -m playwright install chromium >/dev/null 2>&1 && "$py" -m golive.browser; then
    exit 0
  fi
  echo "golive: Playwright's download is not available here; using the system Chromium" >&2
fi
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v chromium-headless-shell >/dev/null 2>&1 || missing+=(chromium-headless-shell)
if [ ${#missing[@]} -gt 0 ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  apt-get update -qq
  for package in "${missing[@]}"; do
    # the headless shell is a speed-up, not a need: an apt source without it still works
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$package" >/dev/null ||
      echo "golive: could not install $package" >&2
  done
fi
if ! "$py" -m golive.browser; then
  echo "golive: no Chromium. Install it (sudo apt-get install chromium) or set GOLIVE_CHROMIUM." >&2
  exit 1
fi
