"""Content Security Policy: only the site's own files, and the theme's own inline code, may run.

The theme (Material or Zensical, plus our overrides) writes a few small inline scripts and
styles. `TrustedCode(template_dirs)` reads them from the theme's templates, where a template
expression (`{{ base_url }}`) may only become a plain value; `policy_for(page, trusted)` then
allows exactly those found on a page by their sha256 hash. Any other inline script or style
(something that got into a page from content) is not allowed and is reported: the build fails.
"""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

BASE_POLICY = (
    ("default-src", "'self'"),
    ("script-src", "'self'"),  # plus the hashes of the theme's inline scripts on the page
    ("style-src", "'self'"),
    ("style-src-elem", "'self'"),  # plus the hashes of the theme's inline styles on the page
    ("style-src-attr", "'unsafe-inline'"),  # Material sets style attributes from its script
    ("img-src", "'self' data:"),
    ("font-src", "'self' data:"),
    ("connect-src", "'self'"),
    ("worker-src", "'self' blob:"),
    ("frame-src", "'self'"),
    ("object-src", "'none'"),
    ("base-uri", "'self'"),
    ("form-action", "'self'"),  # the search page's form (it submits nothing off the page)
)
_TEMPLATE_CODE = re.compile(r"<(script|style)>(.*?)</\1>", re.DOTALL)  # no attributes: inline code
_EXPRESSION = re.compile(r"\{\{.*?\}\}|\{%.*?%\}", re.DOTALL)
_VALUE = r"[^\"'<>\\\n`]*"  # what a template expression may become inside trusted code


@dataclass(frozen=True)
class TrustedCode:
    """Inline code the theme's templates write, as patterns a page's inline code must match."""

    patterns: tuple[tuple[str, re.Pattern], ...]

    @classmethod
    def from_templates(cls, template_dirs: list[Path]) -> TrustedCode:
        found: dict[tuple[str, str], re.Pattern] = {}
        for folder in template_dirs:
            for path in sorted(folder.rglob("*.html")):
                for tag, code in _TEMPLATE_CODE.findall(path.read_text(encoding="utf-8")):
                    pieces = _EXPRESSION.split(code)
                    pattern = _VALUE.join(re.escape(piece) for piece in pieces)
                    found[(tag, pattern)] = re.compile(pattern, re.DOTALL)
        return cls(tuple((tag, rx) for (tag, _), rx in found.items()))

    def allows(self, tag: str, code: str) -> bool:
        return any(t == tag and rx.fullmatch(code) for t, rx in self.patterns)


def digest(code: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(code.encode("utf-8")).digest()).decode("ascii") + "'"


# Zensical's search dialog styles its shadow DOM with a <style> its script writes at run time, so
# inline style elements cannot be limited to hashes there (and a hash would switch 'unsafe-inline'
# off). Scripts stay hash-only with both generators.
INLINE_STYLES = {"zensical": "'unsafe-inline'"}


def policy_for(inlines: list, trusted: TrustedCode, generator: str = "mkdocs", wasm: bool = False) -> tuple[str, list]:
    """(the page's policy, the inline scripts and styles on it (htmlscan.Inline) that the theme did not write)."""
    hashes: dict[str, list[str]] = {"script": [], "style": []}
    refused = []
    for inline in inlines:
        if trusted.allows(inline.tag, inline.code):
            hashes[inline.tag].append(digest(inline.code))
        else:
            refused.append(inline)
    directives = []
    for name, value in BASE_POLICY:
        extra = hashes["script"] if name == "script-src" else hashes["style"] if name == "style-src-elem" else []
        if name == "style-src-elem" and generator in INLINE_STYLES:
            extra = [INLINE_STYLES[generator]]
        if name == "script-src" and wasm:  # the search page compiles Pagefind's WebAssembly
            extra = [*extra, "'wasm-unsafe-eval'"]
        directives.append(" ".join([name, value, *sorted(set(extra))]))
    return "; ".join(directives), refused


# The one-file edition: no script at all, its own inline style, images only as data: URIs; it can
# neither navigate, submit nor frame anything (it is opened from disk, anywhere).
STANDALONE_POLICY = (
    "default-src 'none'; script-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src 'none'; "
    "connect-src 'none'; frame-src 'none'; object-src 'none'; base-uri 'none'; form-action 'none'"
)
