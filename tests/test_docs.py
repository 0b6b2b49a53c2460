"""The CI examples in docs/ci parse and block promotion on the gate."""

from __future__ import annotations

import yaml

from tests.conftest import ROOT


def test_ci_examples_keep_reports_and_gate_promotion() -> None:
    github = yaml.safe_load((ROOT / "docs/ci/github-actions.yml").read_text())
    steps = github["jobs"]["verify"]["steps"]
    assert any("golive gate reports/latest" in s.get("run", "") for s in steps)
    assert any(s.get("uses", "").startswith("actions/upload-artifact") for s in steps)
    assert github["jobs"]["promote"]["needs"] == "verify"
    gitlab = yaml.safe_load((ROOT / "docs/ci/gitlab-ci.yml").read_text())
    assert "reports/" in gitlab["golive"]["artifacts"]["paths"]
    assert any("golive gate reports/latest" in line for line in gitlab["golive"]["script"])
    assert gitlab["promote"]["needs"] == ["golive"]
