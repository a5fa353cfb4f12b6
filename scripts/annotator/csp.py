"""Content Security Policy: no inline or third-party script may run on the site.

`externalize_scripts(html, page_url)` moves every inline executable <script> of a built page
into a file named by its hash (same position, so the same order of execution) and puts the
policy in a <meta> tag at the top of <head>. It returns (new html, {path: script text}).
"""

from __future__ import annotations

import hashlib
import posixpath

from bs4 import BeautifulSoup

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
EXECUTABLE = {"", "text/javascript", "application/javascript", "module"}


def externalize_scripts(html: str, page_url: str) -> tuple[str, dict[str, str]]:
    """Move inline scripts out of a page and add the CSP meta tag."""
    soup = BeautifulSoup(html, "html.parser")
    files: dict[str, str] = {}
    here = posixpath.dirname(page_url) or "."
    for script in soup.find_all("script"):
        if script.get("src") or script.get("type", "").lower() not in EXECUTABLE:
            continue
        code = script.string or ""
        path = f"{SCRIPT_DIR}/{hashlib.sha256(code.encode()).hexdigest()[:16]}.js"
        files[path] = code
        script.string = ""
        script["src"] = posixpath.relpath(path, here)
    if soup.head:
        meta = soup.new_tag("meta", attrs={"http-equiv": "Content-Security-Policy", "content": POLICY})
        soup.head.insert(0, meta)
    return str(soup), files
