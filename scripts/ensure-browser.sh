#!/usr/bin/env bash
# Make sure Playwright has a Chromium to drive: its own build where it can be downloaded,
# otherwise the system package (Debian/Ubuntu `chromium`, installed when we are root).
set -euo pipefail
py=${1:-.venv/bin/python}
if "$py" -m golive.browser >/dev/null 2>&1; then "$py" -m golive.browser; exit 0; fi
echo "golive: trying Playwright's own Chromium download" >&2
if timeout 180 "$py" -m playwright install chromium >/dev/null 2>&1 && "$py" -m golive.browser; then
  exit 0
fi
echo "golive: Playwright's download is not available here; using the system Chromium" >&2
if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "golive: no Chromium. Install it (sudo apt-get install chromium) or set GOLIVE_CHROMIUM." >&2
    exit 1
  fi
fi
"$py" -m golive.browser
