"""Content Security Policy: no inline or third-party script may run on the site.

The theme's inline scripts are rendered as usual, then `external_script(fragment)` turns each
into a file named by its hash, referenced by <script src>. Same position, same order of
execution; the policy below can then forbid every inline script.
"""

from __future__ import annotations

import hashlib
from html.parser import HTMLParser

POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",  # no inline script, no other origin
        "style-src 'self' 'unsafe-inline'",  # Material sets style attributes from its script
        "img-src 'self' data:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "worker-src 'self' blob:",
        "frame-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
    ]
)
SCRIPT_DIR = "assets/inline"


class _ScriptText(HTMLParser):
    """Collects the code of every <script> in a fragment (the parser keeps it verbatim)."""

    def __init__(self):
        super().__init__(convert_charrefs=False)
        self.inside, self.code = False, []

    def handle_starttag(self, tag, attrs):
        self.inside = tag == "script"

    def handle_endtag(self, tag):
        self.inside = False

    def handle_data(self, data):
        if self.inside:
            self.code.append(data)


def external_script(fragment: str) -> tuple[str, str]:
    """(path under the site, code) for the inline script(s) of a small rendered template fragment."""
    parser = _ScriptText()
    parser.feed(fragment)
    parser.close()
    code = "".join(parser.code)
    return f"{SCRIPT_DIR}/{hashlib.sha256(code.encode()).hexdigest()[:16]}.js", code
