"""Names shared by the commands, the build and their messages."""

from __future__ import annotations

# How a contributor runs the tools from the repository root, on a fresh clone (it sets up .venv).
COMMAND = "scripts/annotate"
POLICY_NAME = "reliability.yaml"  # the reliability policy, beside the article folders
RECORD_NAME = "verification.json"  # what `annotator verify` found, written by it alone
DOCS, ANNOTATIONS = "docs", "annotations"  # defaults, relative to the current folder
