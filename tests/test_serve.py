"""`mkdocs serve` while a contributor edits: a change appears on reload; while an annotation is
broken the preview keeps answering at once, with the last good notes under an error banner."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from .conftest import ROOT, copy_site

PAGE = "harbour-report.html"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url: str, timeout: float = 10) -> tuple[float, str]:
    started = time.perf_counter()
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return time.perf_counter() - started, response.read().decode("utf-8")


def wait_for(url: str, condition, seconds: float = 60) -> str:
    deadline = time.monotonic() + seconds
    last = ""
    while time.monotonic() < deadline:
        try:
            _, last = get(url)
            if condition(last):
                return last
        except OSError:
            pass
        time.sleep(0.5)
    raise AssertionError(f"{url} never satisfied the condition; last page: {last[:300]}")


@pytest.fixture
def served(tmp_path):
    source = copy_site(ROOT / "tests" / "sample-site", tmp_path / "s")
    port = free_port()
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    process = subprocess.Popen(
        [Path(sys.executable).parent / "mkdocs", "serve", "-a", f"127.0.0.1:{port}"],
        cwd=source,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}/"
    try:
        wait_for(base + PAGE, lambda page: 'class="sidenote' in page)
        yield source, base
    finally:  # Ctrl-C, as a contributor stops it: serve then removes its site folder (SIGTERM leaves it)
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


def test_an_edit_appears_and_a_broken_annotation_keeps_the_preview_answering(served):
    source, base = served
    path = source / "annotations" / "harbour-report" / "the-harbour-reopened.md"
    good = path.read_text()
    path.write_text(
        good.replace("The gazette counts nineteen months.", "The gazette counts nineteen months, not eighteen.")
    )
    wait_for(base + PAGE, lambda page: "not eighteen" in page)

    path.write_text(good.replace('"eighteen months"', '"twenty months"'))  # the quote no longer anchors
    page = wait_for(base + PAGE, lambda page: "annotator-errors" in page)
    _, page = get(base + PAGE)  # it answers (get gives up after 10 s), with the banner
    assert "is not in paragraph" in page  # the banner says what is wrong
    assert page.count('class="sidenote') == 2  # the last good notes are still shown
    assert "annotator.css" in page and "sidenotes.js" in page  # in the margin, styled, not spilled inline
    _, home = get(base + "index.html")
    assert "<title>Sample annotated site</title>" in home  # the other pages are still served

    path.write_text(good)
    wait_for(base + PAGE, lambda page: "annotator-errors" not in page and 'class="sidenote' in page)
    shutil.rmtree(source / "site", ignore_errors=True)
