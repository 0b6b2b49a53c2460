"""Which Chromium golive drives.

Playwright's own build when it is installed (``playwright install chromium``), otherwise
the system's, or the one named by ``GOLIVE_CHROMIUM``. Of the system's, a headless run
takes Chromium's headless shell (Debian's ``chromium-headless-shell``) when it is there:
what Playwright's own build runs headless too, at less than half the CPU per page of the
full browser in its new headless mode (bench/README.md). A headed run (``--headed``) takes
the full browser (Debian's ``chromium``). ``python -m golive.browser`` prints the choice
and exits 1 when there is none; ``scripts/ensure-browser.sh`` uses it during set-up.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

ENV_VAR = "GOLIVE_CHROMIUM"
SYSTEM_CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
HEADLESS_CANDIDATES = ("chromium-headless-shell", "chrome-headless-shell")
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


def find_chromium(headless: bool = True) -> Path | None:
    """The executable to launch, or None when Playwright's own build should be used."""
    chosen = os.environ.get(ENV_VAR)
    if chosen:
        return Path(chosen)
    if playwright_chromium() is not None:
        return None
    return system_chromium(headless)


def system_chromium(headless: bool = True) -> Path | None:
    for name in (*HEADLESS_CANDIDATES, *SYSTEM_CANDIDATES) if headless else SYSTEM_CANDIDATES:
        found = shutil.which(name)
        if found:
            return Path(found)
    return None


def main() -> int:
    if playwright_chromium() is not None and not os.environ.get(ENV_VAR):
        print(f"playwright chromium: {playwright_chromium()}")
        return 0
    system = find_chromium()
    headed = system_chromium(headless=False)
    if system is None:
        print(
            "no Chromium found: run `playwright install chromium` or install the system"
            " package `chromium`, or set GOLIVE_CHROMIUM",
            file=sys.stderr,
        )
        return 1
    print(f"system chromium: {system}")
    if headed is not None and headed != system:
        print(f"system chromium (--headed): {headed}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
