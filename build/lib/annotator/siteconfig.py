"""The site's settings, as the generator parsed them: one configuration for the build and the
commands.

Inside a MkDocs build the plugin hands MkDocs' own parsed config to `from_mkdocs`; a command
(validate, postbuild after Zensical) loads mkdocs.yml with MkDocs' loader (config.read_config,
through mkdocs_plugin: the only module that imports MkDocs), so `!ENV` values and defaults are the
generator's own. Without MkDocs installed (a Zensical-only install) the file is read as plain YAML
(`read_plain`), with MkDocs' defaults. The annotator extension's own
folders (`markdown_extensions: - annotator: {docs_dir, annotations_dir}`) are relative to the
config file's folder, like MkDocs' docs_dir.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .paths import ANNOTATIONS, DOCS

BUILTIN_EXTENSIONS = ["toc", "tables", "fenced_code"]  # MkDocs always adds these


@dataclass(frozen=True)
class SiteConfig:
    config_file: Path
    docs_dir: Path  # the pages, as MkDocs reads them (absolute)
    annotations_dir: Path  # the annotation folders and the policy (absolute)
    site_dir: Path
    site_url: str  # "" when not set: data files then use site-relative addresses
    site_name: str
    custom_dir: Path | None
    markdown_extensions: list = field(default_factory=list)  # names or instances, as the generator loads them
    mdx_configs: dict = field(default_factory=dict)
    repo_url: str = ""
    edit_uri: str = ""


def _annotator_options(extensions: list, configs: dict) -> dict:
    return dict(configs.get("annotator") or {}) if "annotator" in extensions else {}


def _folders(base: Path, options: dict, docs_dir: Path) -> tuple[Path, Path]:
    docs = base / options["docs_dir"] if options.get("docs_dir") else docs_dir
    return docs.resolve(), (base / options.get("annotations_dir", ANNOTATIONS)).resolve()


def from_mkdocs(config) -> SiteConfig:
    """Our settings from MkDocs' parsed config (a MkDocsConfig)."""
    path = Path(config.config_file_path).resolve()
    extensions = list(config.markdown_extensions)
    configs = dict(config.mdx_configs)
    docs, annotations = _folders(path.parent, _annotator_options(extensions, configs), Path(config.docs_dir))
    custom = getattr(config.theme, "custom_dir", None)
    return SiteConfig(
        config_file=path,
        docs_dir=docs,
        annotations_dir=annotations,
        site_dir=Path(config.site_dir),
        site_url=(config.site_url or "").rstrip("/"),
        site_name=config.site_name or "",
        custom_dir=Path(custom) if custom else None,
        markdown_extensions=extensions,
        mdx_configs=configs,
        repo_url=(config.repo_url or "").rstrip("/"),
        edit_uri=config.edit_uri or "",
    )


def read_plain(path: Path) -> SiteConfig:
    import yaml

    class Loader(yaml.SafeLoader):
        """mkdocs.yml without MkDocs: its own tags (!ENV...) read as empty."""

    Loader.add_multi_constructor("!", lambda loader, suffix, node: None)
    config = yaml.load(path.read_text(encoding="utf-8"), Loader=Loader) or {}
    base = path.resolve().parent
    extensions, configs = list(BUILTIN_EXTENSIONS), {}
    for entry in config.get("markdown_extensions") or []:
        name, options = (entry, {}) if isinstance(entry, str) else next(iter(entry.items()))
        extensions.append(name)
        configs[name] = options or {}
    docs, annotations = _folders(base, _annotator_options(extensions, configs), base / (config.get("docs_dir") or DOCS))
    theme = config.get("theme") or {}
    custom = theme.get("custom_dir") if isinstance(theme, dict) else None
    return SiteConfig(
        config_file=path,
        docs_dir=docs,
        annotations_dir=annotations,
        site_dir=base / (config.get("site_dir") or "site"),
        site_url=(config.get("site_url") or "").rstrip("/"),
        site_name=config.get("site_name") or "",
        custom_dir=base / custom if custom else None,
        markdown_extensions=extensions,
        mdx_configs=configs,
        repo_url=(config.get("repo_url") or "").rstrip("/"),
        edit_uri=config.get("edit_uri") or "",
    )
