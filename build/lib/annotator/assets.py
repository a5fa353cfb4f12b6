"""The annotator's own CSS and JavaScript as a page receives them: the readable files of assets/,
completed by the rules generated from the relation table, then minified.

Used by postbuild (the site's assets/annotator/) and standalone (inlined in the one-file edition).
"""

from __future__ import annotations

from pathlib import Path

import rcssmin
import rjsmin

from . import generated

ASSETS = Path(__file__).with_name("assets")


def source(name: str) -> str:
    """An asset before minification: the file (plus the rules generated from the relation table)."""
    code = (ASSETS / name).read_text(encoding="utf-8")
    if name == "claims.css":
        code += generated.claims_filter_css()
    elif name == "annotator.css":
        code += generated.relation_css() + generated.reader_filter_css()
    return code


def shipped(name: str) -> str:
    """An asset as the site serves it: source(name), minified by rcssmin or rjsmin."""
    code = source(name)
    return rcssmin.cssmin(code) if name.endswith(".css") else rjsmin.jsmin(code)
