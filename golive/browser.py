"""Which Chromium golive drives.

Playwright's own build when it is installed (``playwright install chromium``), otherwise
the system's (``/usr/bin/chromium``, Debian's package), or the one named by
``GOLIVE_CHROMIUM``. ``python -m golive.browser`` prints the choice and exits 1 when there
is none; ``scripts/ensure-browser.sh`` uses it during set-up.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

ENV_VAR = "GOLIVE_CHROMIUM"
SYSTEM_CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
# Flags for a locked-down machine: no sandbox as root, no background calls home.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def playwright_chromium() -> Path | None:
    try:
        from playwright.sync_api import sync_playwright

        with sync_playwright() as p:
            path = Path(p.chromium.executable_path)
    except Exception:  # no driver, or no browser downloaded: fall back
        return None
    return path if path.exists() else None


def find_chromium() -> Path | None:
    """The executable to launch, or None when Playwright's own build should be used."""
    chosen = os.environ.get(ENV_VAR)
    if chosen:
        return Path(chosen)
    if playwright_chromium() is not None:
        return None
    return system_chromium()


def system_chromium() -> Path | None:
    for name in SYSTEM_CANDIDATES:
        found = shutil.which(name)
        if found:
            return Path(found)
    return None


def main() -> int:
    if playwright_chromium() is not None and not os.environ.get(ENV_VAR):
        print(f"playwright chromium: {playwright_chromium()}")
        return 0
    system = find_chromium()
    if system is None:
        print(
            "no Chromium found: run `playwright install chromium` or install the system"
            " package `chromium`, or set GOLIVE_CHROMIUM",
            file=sys.stderr,
        )
        return 1
    print(f"system chromium: {system}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
