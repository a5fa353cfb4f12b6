"""The GitHub workflows pass actionlint (with shellcheck on their `run:` steps), and run the same
scripts as .ci/run, in the Debian image whose chromium the browser tests drive."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from .conftest import IN_CI, ROOT

WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))


def test_workflows_pass_actionlint_and_shellcheck():
    actionlint = Path(sys.executable).parent / "actionlint"
    if shutil.which("shellcheck") is None:
        if IN_CI:
            pytest.fail("shellcheck is missing: .ci/run installs it (apt-get install shellcheck)")
        pytest.skip("shellcheck is not installed (apt-get install shellcheck)")
    result = subprocess.run([actionlint, *WORKFLOWS], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    scripts = [ROOT / ".ci" / "run", *(ROOT / "scripts" / n for n in ("build", "test", "setup-env", "annotate"))]
    result = subprocess.run(["shellcheck", *map(str, scripts)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout


def test_jobs_run_in_debian_and_use_the_project_scripts():
    commands = []
    for path in WORKFLOWS:
        workflow = yaml.safe_load(path.read_text())
        for name, job in workflow["jobs"].items():
            steps = job.get("steps", [])
            runs = [step["run"] for step in steps if "run" in step]
            if runs:  # a job that runs our commands runs them in the Debian image
                assert job.get("container", "").startswith("python:3.11-bookworm"), f"{path.name}: {name}"
            commands += runs
    joined = "\n".join(commands)
    for expected in (".ci/run", "scripts/build", "scripts/annotate validate --github", "scripts/annotate verify"):
        assert expected in joined, expected
    assert "apt-get install" not in joined, "installs belong in .ci/run, which CI runs too"
