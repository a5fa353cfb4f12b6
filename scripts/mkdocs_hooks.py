"""Thin MkDocs adapter (`hooks:` in mkdocs.yml): the only module that imports mkdocs.

The merge itself is the `annotator` Markdown extension (listed in markdown_extensions), which
Zensical runs too; this adapter only wires MkDocs' build events to the same core calls that
`scripts/build` runs after `zensical build`:

    on_startup    remember whether this is `mkdocs serve` (a preview shows problems, not fails)
    on_files      check every article page and annotation before any page is read
    on_post_build `annotator postbuild`: notes in search, assets, CSP, data, one-file editions
"""

from __future__ import annotations

import logging
from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority

from annotator.errors import AnnotationError
from annotator.pipeline import prepare
from annotator.postbuild import postbuild
from annotator.siteconfig import read_config

log = logging.getLogger("mkdocs.hooks.annotator")
_serving = False


def _fail(error: AnnotationError, what: str) -> None:
    """A build stops with every problem; a preview keeps serving and shows them on the page."""
    message = f"{what}: {len(error.problems)} problem(s):\n{error}"
    if _serving:
        log.warning(message)
    else:
        raise PluginError(message)


def on_startup(command, dirty):
    global _serving
    _serving = command == "serve"


def on_files(files, config):
    site = read_config(Path(config.config_file_path))
    try:
        prepare(site.docs_dir, site.annotations_dir)
    except AnnotationError as error:
        _fail(error, "annotations")
    return files


@event_priority(-50)  # after the search plugin writes its index (0), before offline inlines it (-100)
def on_post_build(config):
    try:
        postbuild(read_config(Path(config.config_file_path)), Path(config.site_dir))
    except AnnotationError as error:
        _fail(error, "the built site")
