"""Shared fixtures: the built sites and, for browser tests, Debian's chromium via Playwright."""

from __future__ import annotations

import atexit
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

# The build's cache on disk (annotator.cache.Disk) lives in a folder of this test session's own,
# set before the package is imported: every build of the suite, in this process or another,
# shares it (as a contributor's builds do), and none reads or fills the user's own.
os.environ["ANNOTATOR_CACHE_DIR"] = tempfile.mkdtemp(prefix="annotator-test-cache-")
atexit.register(shutil.rmtree, os.environ["ANNOTATOR_CACHE_DIR"], True)

from .realsite import ROOT, RealSite, site_root  # noqa: E402 (after the cache's folder is set)

CHROMIUM = "/usr/bin/chromium"
IN_CI = os.environ.get("CI", "").lower() == "true"
# Flags that keep headless Chromium off the (closed) network and quick to start.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
    "--disable-dev-shm-usage",  # containers (GitHub's Debian job) have a small /dev/shm
]


def build_site(config: Path, site_dir: Path | None = None, generator: str = "mkdocs") -> Path:
    """Build a site as scripts/build does, with MkDocs (into site_dir) or with Zensical (into the
    config's site/, then `annotator postbuild`), and return the built folder."""
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "SOURCE_DATE_EPOCH": "1700000000"}
    bin_dir = Path(sys.executable).parent
    if generator == "zensical":
        subprocess.run(
            [bin_dir / "zensical", "build", "--clean", "-f", str(config)], check=True, env=env, cwd=config.parent
        )
        subprocess.run(
            [bin_dir / "annotator", "--config", str(config), "postbuild"], check=True, env=env, cwd=config.parent
        )
        return config.parent / "site"
    command = [sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet", "-f", str(config)]
    subprocess.run([*command, "-d", str(site_dir)], check=True, env=env, cwd=config.parent)
    return site_dir


def copy_site(source: Path, target: Path) -> Path:
    """A copy of a site's sources (config, docs, annotations, the MkDocs adapter) to build elsewhere."""
    target.mkdir(parents=True)
    for name in ("mkdocs.yml", "docs", "annotations", "CONTRIBUTING.md"):
        if (source / name).is_dir():
            shutil.copytree(source / name, target / name)
        elif (source / name).exists():
            shutil.copy(source / name, target / name)
    if (source / "scripts" / "annotator" / "theme").is_dir():
        shutil.copytree(source / "scripts" / "annotator" / "theme", target / "scripts" / "annotator" / "theme")
    return target


@pytest.fixture(scope="session")
def real() -> RealSite:
    """The real site's articles and notes as the package loads them (tests/realsite.py): this
    repository, or the copy $ANNOTATOR_TEST_SITE names."""
    return RealSite.load(site_root())


@pytest.fixture(scope="session")
def site(tmp_path_factory) -> Path:
    """The real site, built once per test session with MkDocs."""
    return build_site(site_root() / "mkdocs.yml", tmp_path_factory.mktemp("site"))


@pytest.fixture(scope="session")
def zensical_site(tmp_path_factory) -> Path:
    """The real site, built once per test session with Zensical (then annotator postbuild)."""
    source = copy_site(site_root(), tmp_path_factory.mktemp("zensical") / "src")
    return build_site(source / "mkdocs.yml", generator="zensical")


@pytest.fixture
def generator() -> str:
    """The generator a test reads the site from; tests that run on both parametrize it."""
    return "mkdocs"


@pytest.fixture
def reading_site(request, generator) -> Path:
    """The real site as built by `generator` (MkDocs unless a test parametrizes it)."""
    return request.getfixturevalue("site" if generator == "mkdocs" else "zensical_site")


@pytest.fixture(scope="session")
def fixture_site(tmp_path_factory) -> Path:
    """A second, small site built by the same engine from tests/sample-site."""
    source = copy_site(ROOT / "tests" / "sample-site", tmp_path_factory.mktemp("sample") / "sample-site")
    return build_site(source / "mkdocs.yml", source / "site")


@pytest.fixture(scope="session")
def hostile_sites(tmp_path_factory):
    """The hostile site (tests/hostile.py: every accepted field carries every payload), built once
    per generator for the session: test_security.py reads it as HTML, test_browser_security.py in
    Chromium. Call with the generator's name."""
    from .hostile import PAYLOADS, accepted, hostile_files

    built: dict[str, Path] = {}

    def get(generator: str) -> Path:
        if generator not in built:
            root = tmp_path_factory.mktemp(f"hostile-{generator}")
            hostile_files(root, accepted(PAYLOADS))
            built[generator] = build_site(root / "mkdocs.yml", root / "site", generator=generator)
        return built[generator]

    return get


@pytest.fixture(scope="session")
def browser():
    """Debian's chromium driven by Playwright. Mandatory in CI; skipped locally without it."""
    if not Path(CHROMIUM).exists():
        if IN_CI:
            pytest.fail(f"{CHROMIUM} is missing: CI must run the browser tests (apt-get install chromium)")
        pytest.skip("browser tests need Debian's chromium (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def contexts(browser):
    """Browser contexts shared by the browser tests: one per width, palette and JavaScript on/off."""
    from .browser_support import ContextPool

    pool = ContextPool(browser)
    yield pool
    pool.close()


@pytest.fixture(scope="session")
def pages(real) -> dict[str, str]:
    """Each kind of page (browser_support.PAGE_KINDS) -> its file in the built site; "article" is
    the first article's page, "edition" its one-file edition."""
    return {**real.pages(), "edition": real.edition(real.first)}


@pytest.fixture(scope="session")
def picked(real):
    """The notes of the first article that interaction tests click (browser_support.Picked)."""
    from .browser_support import Picked

    return Picked.of(real.first)


def _wait_for_scheme(page, scheme: str) -> None:
    from .browser_support import MATERIAL_SCHEME

    page.wait_for_function(
        "(s) => document.body.getAttribute('data-md-color-scheme') === s", arg=MATERIAL_SCHEME[scheme]
    )


@pytest.fixture
def open_page(reading_site, contexts, pages):
    """Open one of the site's pages in the shared context for a width and palette (and forget
    the reader's filter choice afterwards: sidenotes.js remembers it, and contexts are shared)."""
    from .browser_support import forget

    opened = []

    def _open(name=None, width=1440, scheme="light", js=True, fragment=""):
        page = contexts.open(reading_site, name or pages["article"], width, scheme, js, fragment)
        opened.append(page)
        if js:
            _wait_for_scheme(page, scheme)
        return page

    yield _open
    for page in opened:
        forget(page)
        page.close()


@pytest.fixture
def measured_page(reading_site, contexts, pages):
    """Like open_page, for tests that only measure a page (no click, key, hover or filter): the
    page is opened once per site, page, width, palette and JavaScript setting, and shared."""

    def _open(name=None, width=1440, scheme="light", js=True):
        page = contexts.shared(reading_site, name or pages["article"], width, scheme, js)
        if js:
            _wait_for_scheme(page, scheme)
        return page

    return _open


# ---- CI must run the browser tests: fail the session if none of them passed -------------------
_browser_passed = []


def pytest_runtest_logreport(report):
    if report.when == "call" and report.passed and "browser" in report.keywords:
        _browser_passed.append(report.nodeid)


def pytest_sessionfinish(session, exitstatus):
    if IN_CI and exitstatus == 0 and not _browser_passed and not session.config.option.collectonly:
        session.exitstatus = 1
        print("\nCI=true but no browser test passed: the browser tests must run in CI", file=sys.stderr)
