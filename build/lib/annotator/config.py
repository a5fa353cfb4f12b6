"""The site's settings for a command (validate, new, postbuild after Zensical, verify...):
mkdocs.yml read with MkDocs' own loader when MkDocs is installed (mkdocs_plugin, the only module
that imports MkDocs), else as plain YAML (siteconfig.read_plain).
"""

from __future__ import annotations

from pathlib import Path

from .paths import ANNOTATIONS, DOCS
from .siteconfig import SiteConfig, read_plain


def read_config(path: Path = Path("mkdocs.yml")) -> SiteConfig:
    """The settings of the site whose config file is `path`."""
    try:
        from .mkdocs_plugin import read_mkdocs_config
    except ImportError:  # a Zensical-only install: no MkDocs
        return read_plain(path)
    return read_mkdocs_config(path)


def site_of(args) -> tuple[SiteConfig | None, Path, Path]:
    """(config, docs, annotations) for a command: --config (mkdocs.yml), --docs/--annotations overriding."""
    config = read_config(args.config) if args.config.exists() else None
    docs = args.docs or (here(config.docs_dir) if config else Path(DOCS))
    annotations = args.annotations or (here(config.annotations_dir) if config else Path(ANNOTATIONS))
    return config, docs, annotations


def here(path: Path) -> Path:
    """A folder relative to the current one when it is under it: messages name files as a
    contributor sees them (annotations/x.md:8:1) and GitHub marks them on the pull request."""
    try:
        return path.relative_to(Path.cwd().resolve())
    except ValueError:
        return path
