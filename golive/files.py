"""Run files: written atomically (a reader sees the old file or the new one, never half)
and readable by all (0644), and read back as the JSON objects golive wrote, or an
``InputError`` saying what is wrong."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from .errors import InputError


def read_json_object(path: Path, missing: str, what: str) -> dict[str, Any]:
    """The JSON object in ``path``. ``missing`` is the error when there is no such file;
    ``what`` names the object in the error when the file holds another JSON value."""
    try:
        value = json.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        raise InputError(missing) from None
    except (OSError, ValueError) as exc:
        raise InputError(f"{path}: corrupt ({exc})") from None
    if not isinstance(value, dict):
        raise InputError(f"{path}: not {what} (a JSON {type(value).__name__})")
    return value


# A run folder is read by others (a report web server, a colleague, CI's artifact upload):
# its files are 0644, not the 0600 a temporary file is made with. A secret is never one.
RUN_FILE_MODE = 0o644
RUN_FOLDER_MODE = 0o755


def make_readable(root: Path) -> None:
    """``root`` and everything under it readable by all (files 0644, folders 0755), as
    another program (Allure's node, under the user's umask) may not have left them."""
    for path in [root, *root.rglob("*")]:
        if path.is_symlink():
            continue
        path.chmod(RUN_FOLDER_MODE if path.is_dir() else RUN_FILE_MODE)


def write_atomic(path: Path, text: str, mode: int = RUN_FILE_MODE) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
