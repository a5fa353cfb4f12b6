"""The lock files agree with the requirements they lock (scripts/lock writes them)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?==([^\s\\;#]+)", re.MULTILINE)


def _name(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _pins(text: str) -> dict[str, str]:
    return {_name(name): version for name, version in PIN.findall(text)}


@pytest.mark.parametrize("name", ["requirements", "requirements-dev"])
def test_a_lock_holds_every_pin_of_its_requirements_with_hashes(name):
    wanted = _pins((ROOT / f"{name}.txt").read_text())
    if name == "requirements-dev":
        wanted |= _pins((ROOT / "requirements.txt").read_text())
    lock = (ROOT / f"{name}.lock").read_text()
    locked = _pins(lock)
    assert len(wanted) > 10 and len(locked) >= len(wanted)
    stale = {n: (v, locked.get(n)) for n, v in wanted.items() if locked.get(n) != v}
    assert not stale, f"{name}.lock does not match {name}.txt (pinned, locked): {stale}; run scripts/lock"
    for entry in re.split(r"\n(?=\S)", lock):
        if PIN.match(entry):
            assert "--hash=sha256:" in entry, f"{entry.splitlines()[0]} has no hash; run scripts/lock"
