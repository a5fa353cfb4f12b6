"""What the commands need from mkdocs.yml (which Zensical reads too): folders, the site's
address, the theme overrides, and the annotator extension's own options."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from .paths import ANNOTATIONS, DOCS


class _ConfigLoader(yaml.SafeLoader):
    """Reads mkdocs.yml, leaving MkDocs' own tags (!ENV, !relative, !!python/name) as None."""


_ConfigLoader.add_multi_constructor("!", lambda loader, suffix, node: None)
_ConfigLoader.add_multi_constructor("tag:yaml.org,2002:python/", lambda loader, suffix, node: None)


@dataclass(frozen=True)
class SiteConfig:
    config_file: Path
    docs_dir: Path  # where article pages are, as the extension reads them
    annotations_dir: Path
    site_dir: Path
    site_url: str  # "" when not set: data files then use site-relative addresses
    site_name: str
    custom_dir: Path | None


def _extension_options(config: dict) -> dict:
    for entry in config.get("markdown_extensions") or []:
        if entry == "annotator":
            return {}
        if isinstance(entry, dict) and "annotator" in entry:
            return entry["annotator"] or {}
    return {}


def read_config(path: Path = Path("mkdocs.yml")) -> SiteConfig:
    """The settings of one site. Relative folders are read as MkDocs and the extension do:
    docs_dir and site_dir from the config file's folder, the extension's from the current one."""
    config = yaml.load(path.read_text(encoding="utf-8"), Loader=_ConfigLoader) or {}
    base = path.resolve().parent
    options = _extension_options(config)
    theme = config.get("theme") or {}
    custom = theme.get("custom_dir") if isinstance(theme, dict) else None
    return SiteConfig(
        config_file=path,
        docs_dir=Path(options.get("docs_dir", DOCS)),
        annotations_dir=Path(options.get("annotations_dir", ANNOTATIONS)),
        site_dir=base / (config.get("site_dir") or "site"),
        site_url=(config.get("site_url") or "").rstrip("/"),
        site_name=config.get("site_name") or "",
        custom_dir=base / custom if custom else None,
    )
