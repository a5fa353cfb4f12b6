"""Search: the theme's own index (one entry per note, and nothing in it a theme could run), and
the search page's index (Pagefind's chunked index, and a whole-site file for reading from disk).

Material and Zensical render a result's title and text as HTML, so every entry (the
generator's own and ours) is cleaned with nh3: titles keep only inline code and emphasis, texts
a small set of formatting tags, and nothing executable or styled. Note entries are plain text,
escaped. MkDocs writes search/search_index.json (and, offline, search_index.js); Zensical
writes search.json (and search.js), even with its search off: a site whose pages have no theme
search box keeps neither, so the only whole-site file is the search page's.

The search page's index is fed record by record to Pagefind's service (its Python API), and the
whole-site file is written as the records come, so no step holds every page of records.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import html
import json
import shutil
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from fnmatch import fnmatch
from functools import partial
from itertools import groupby
from pathlib import Path, PurePosixPath

import nh3
from pagefind.index import IndexConfig
from pagefind.service import PagefindService

from . import kept
from .cache import CACHE
from .inputs import inside
from .pipeline import AnnotatedArticle

TITLE_TAGS = {"code", "em", "strong"}
TEXT_TAGS = {
    "p",
    "code",
    "em",
    "strong",
    "b",
    "i",
    "ul",
    "ol",
    "li",
    "pre",
    "blockquote",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
}
INDEXES = {  # generator -> (index file, its inlined copy for file://, list key)
    "mkdocs": ("search/search_index.json", "search/search_index.js", "docs"),
    "zensical": ("search.json", "search.js", "items"),
}


def note_entries(item: AnnotatedArticle, page: str, generator: str) -> list[dict]:
    """One entry per note: its claim as title; its text, sources' outlets, titles and excerpts."""
    entries = []
    for n in item.notes:
        a = n.annotation
        sources = " ".join(f"{s.outlet}. {s.title}. {s.excerpt}" for s in a.sources)
        entry = {
            "location": f"{page}#{n.note_id}",
            "title": html.escape(f"Note {n.number} ({a.relation_row.label}): {a.summary}"),
            "text": html.escape(f"{a.rendered.text} {sources}".strip()),
        }
        if generator == "zensical":
            entry.update(level=2, path=[item.article.title], tags=[])
        entries.append(entry)
    return entries


def clean_entry(entry: dict) -> dict:
    """A generator's own entry with title and text reduced to harmless formatting."""
    if isinstance(entry.get("title"), str):
        entry["title"] = nh3.clean(entry["title"], tags=TITLE_TAGS, attributes={})
    if isinstance(entry.get("text"), str):
        entry["text"] = nh3.clean(entry["text"], tags=TEXT_TAGS, attributes={})
    return entry


def add_notes(site: Path, article_pages: dict[str, AnnotatedArticle], generator: str) -> int:
    """Add note entries to the built index and clean every entry; returns the entries added."""
    index_name, inlined_name, key = INDEXES[generator]
    path = site / index_name
    if not path.is_file():
        return 0
    index = json.loads(path.read_text(encoding="utf-8"))
    entries = [clean_entry(e) for e in index.get(key, [])]
    added = [e for page, item in sorted(article_pages.items()) for e in note_entries(item, page, generator)]
    index[key] = entries + added
    data = json.dumps(index, ensure_ascii=False, separators=(",", ":"))
    path.write_text(data, encoding="utf-8")
    if (site / inlined_name).is_file():
        (site / inlined_name).write_text(f"var __index = {data}", encoding="utf-8")
    return len(added)


def remove_theme_index(site: Path, generator: str) -> None:
    """The theme's index and search code when no page has the theme's search box: nothing loads
    them (the theme starts its search only where the box is; Zensical writes search.json even
    with `search: enabled: false`, Material copies its search worker and lunr's languages), and
    the search page has its own index."""
    index, inlined, _ = INDEXES[generator]
    scripts = site / "assets" / "javascripts"
    for path in [site / index, site / inlined, *scripts.glob("workers/search.*"), scripts / "lunr"]:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        elif path.is_file() or path.is_symlink():
            path.unlink()
    if (scripts / "workers").is_dir() and not any((scripts / "workers").iterdir()):
        (scripts / "workers").rmdir()


# ---- The search page's index: Pagefind, and a whole-site file for reading from disk -------------

PAGEFIND_DIR = "pagefind"
OFFLINE_INDEX = "search/annotator-index.js"
LANGUAGE = "en"  # the pages' language (the theme's `language: en`)


@dataclass(frozen=True)
class Record:
    """One search result: a note, or a page's text."""

    link: str  # site-relative address, with the note's fragment
    title: str
    text: str


def note_records(item: AnnotatedArticle, page: str) -> list[Record]:
    records = []
    for n in item.notes:
        a = n.annotation
        sources = " ".join(f"{s.outlet}. {s.title}. {s.excerpt}" for s in a.sources)
        title = f"Note {n.number} ({a.relation_row.label}): {a.summary} — {item.article.title}"
        records.append(Record(f"{page}#{n.note_id}", title, f"{a.rendered.text} {sources}".strip()))
    return records


def article_record(item: AnnotatedArticle, page: str) -> Record:
    """An article's own text, from its source (not re-read from the built page)."""
    meta = item.article.meta
    text = " ".join(filter(None, (meta.subtitle, *item.article.paragraphs)))
    return Record(page, meta.title, " ".join(text.split()))


def page_record(text: str, page: str) -> Record | None:
    """A content page's title and text, from its built HTML (its notes, if any, are records of
    their own)."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(text, "html.parser")
    content = soup.select_one("article.md-content__inner") or soup.body
    if content is None:
        return None
    for hidden in content.select(".sidenote, .sn-num, .sn-toggle, script, style, .headerlink"):
        hidden.decompose()
    title = soup.title.get_text().strip() if soup.title else page
    return Record(page, title, " ".join(content.get_text(" ").split()))


def write_search_index(site: Path, records: Iterable[Record]) -> int:
    """Pagefind's chunked index and the whole-site file that search.js reads from disk, in one
    pass over `records` (a generator is consumed as it goes: no step holds more than one part
    of records, no temporary page per record). Returns the number of records.

    Each record goes to Pagefind as a custom record (Pagefind's Python API, pinned in
    requirements.txt): its text as content, its title and link as metadata, the same fields the
    indexing of one escaped HTML page per record used to produce. Pagefind escapes < and > in the
    excerpts it returns, and search.js builds every result from text (only Pagefind's <mark>s
    become markup), so contributor text stays inert.

    Pagefind holds a whole index in memory, and writing it takes about four times what adding
    took (some 0.1 MB a note): so the records go into indexes of PAGEFIND_SHARD records each,
    each written by its own Pagefind process before the next starts, and search.js merges them
    (Pagefind's mergeIndex; SHARDS_FILE lists them). Memory stays that of one part whatever the
    size of the site; a site of fewer records has one index, as before. A part whose records
    are those an earlier build indexed is written from the cache (`_write_part`): an edit to
    one note indexes one part again, not the site."""
    count, shards, pending = 0, [], records
    index = kept.Folder(site, PAGEFIND_DIR, fresh=True)  # serving: the last build's, where unchanged
    offline = inside(site, OFFLINE_INDEX)
    offline.parent.mkdir(parents=True, exist_ok=True)
    if offline.is_symlink():
        offline.unlink()
    with offline.open("w", encoding="utf-8") as out:  # search.js reads it with a <script> from disk
        out.write("var __annotatorSearch = [")
        for part in _parts(pending):
            folder = PAGEFIND_DIR if not shards else f"{PAGEFIND_DIR}/part-{len(shards) + 1}"
            # The part's JSON, made again only when its records did (the same record objects
            # while their articles are unchanged, so this compares them by identity).
            chunk, digest = CACHE.get(("search-chunk", folder), tuple(part), partial(_chunk, part), for_later=True)
            out.write(("," if count else "") + chunk)
            count += len(part)
            _write_part(index, folder, part, digest)
            shards.append(folder)
        if not shards:  # the first index is written even when empty
            _write_part(index, PAGEFIND_DIR, [], b"")
        out.write("];\n")
    index.write(SHARDS_FILE, json.dumps([f"{folder}/" for folder in shards[1:]]))
    index.finish()
    return count


def _chunk(records: list[Record]) -> tuple[str, bytes]:
    """Records as the whole-site file lists them, and a digest that tells them from others."""
    chunk = ",".join(
        json.dumps({"link": r.link, "title": r.title, "text": r.text}, ensure_ascii=False) for r in records
    )
    return chunk, hashlib.sha256(chunk.encode()).digest()


PAGEFIND_WINDOW = 256  # records in flight at once: bounds what waits in memory, keeps the pipe busy
# Records per index, at most. Pagefind's time grows faster than its records (here: 81 records
# 0.18 s, 300 0.38 s, 800 1.4 s, 1,500 3.3 s), and an edit indexes its part again: 500 keeps
# that under a second, for a few more files to merge (a 200-article site: about 35 parts).
PAGEFIND_SHARD = 500


def _parts(records: Iterable[Record]) -> Iterator[list[Record]]:
    """The records in parts of at most PAGEFIND_SHARD, a page's records together when they fit
    in one: a note added to or removed from one page changes its part, not every later one."""
    part: list[Record] = []
    for _, group in groupby(records, key=lambda r: r.link.partition("#")[0]):
        page = list(group)
        if part and len(part) + len(page) > PAGEFIND_SHARD:
            yield part
            part = []
        part += page
        while len(part) >= PAGEFIND_SHARD:
            yield part[:PAGEFIND_SHARD]
            part = part[PAGEFIND_SHARD:]
    if part:
        yield part


SHARDS_FILE = f"{PAGEFIND_DIR}/shards.json"  # the indexes search.js merges into the first one
RESPONSE_LIMIT = 2**28  # bytes in one answer of Pagefind's: a part's whole index, base64
SHARD_KEEPS = {"pagefind-entry.json", "index", "fragment", "filter"}  # a merged index needs no code


def _write_part(index: kept.Folder, folder: str, records: list[Record], digest: bytes) -> None:
    """One part's index in folder (site-relative): Pagefind's files for these records, from the
    cache (in memory, or on disk for a new process) when an earlier build indexed the same
    records in the same place (a part is indexed by a Pagefind process of its own, so its files
    depend on its records alone). digest: what
    tells these records from others (the hash of their JSON). Serving, a file already on disk
    with these bytes is left as it is (kept.Folder)."""
    files = CACHE.get(
        ("pagefind-part", folder),
        digest,
        partial(_index_part, folder, records),
        for_later=True,
        content=lambda: digest,  # kept on disk too: a new build indexes only parts it has not
    )
    for relative, data in files:
        index.write(relative, data)


def _index_part(folder: str, records: list[Record]) -> tuple[tuple[str, bytes], ...]:
    """Index records with Pagefind, by a process of its own; the files of the part as
    (site-relative path under folder, bytes)."""
    first = folder == PAGEFIND_DIR
    try:
        asyncio.get_running_loop()
    except RuntimeError:  # the usual case: no event loop in this thread
        files = asyncio.run(_index(records))
    else:  # called from async code (a test's browser driver): a thread of its own
        with ThreadPoolExecutor(1) as thread:
            files = thread.submit(asyncio.run, _index(records)).result()
    kept = []
    for path, data in sorted(files):
        top = PurePosixPath(path).parts[0]
        if first and fnmatch(top, "pagefind-*ui*"):  # its ready-made interfaces: search.js is ours
            continue
        if not first and top not in SHARD_KEEPS and not top.endswith(".pf_meta"):  # a merged index needs no code
            continue
        kept.append((f"{folder}/{path}", data))
    return tuple(kept)


async def _index(records: list[Record]) -> list[tuple[str, bytes]]:
    """One Pagefind process indexes records (its memory goes with it); the index's files as
    (path, bytes), as Pagefind returns them (get_files).

    Not Pagefind's write_files: it answers once its writes are queued, not done (a busy machine
    has shown an empty pagefind-entry.json after the reply, three times in a row), and the
    service is then stopped with SIGTERM, which can cut a queued write short. Bytes in hand are
    written completely by _write_part, or the build fails."""
    service = await _Service().launch()
    try:
        index = await service.create_index(IndexConfig(force_language=LANGUAGE))
        pending = []
        for r in records:
            pending.append(
                index.add_custom_record(
                    url=f"/{r.link}",
                    content=f"{r.title} {r.text}",  # the title is searched, as the page's <h1> was
                    language=LANGUAGE,
                    meta={"title": r.title, "link": r.link},
                )
            )
            if len(pending) == PAGEFIND_WINDOW:
                await asyncio.gather(*pending)
                pending = []
        await asyncio.gather(*pending)
        files = await index.get_files()
    finally:
        await service.close()
    for file in files:
        path = PurePosixPath(file["path"])
        if path.is_absolute() or ".." in path.parts or not path.parts:
            raise RuntimeError(f"Pagefind returned a file outside its index: {file['path']!r}")
    return [(file["path"], file["content"]) for file in files]


class _Service(PagefindService):
    """Pagefind's service with its responses read as they come: the package's own reader sleeps
    0.1 s before reading each response, which caps indexing at ten records a second (a thousand
    notes: a hundred seconds)."""

    async def launch(self) -> _Service:
        """Pagefind's own launch, with room for an answer as long as the index it returns
        (get_files: a part's every file, base64)."""
        self._backend = await asyncio.create_subprocess_exec(
            self._bin,
            "--service",
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
            limit=RESPONSE_LIMIT,
        )
        self._poll_task = self._loop.create_task(self._wait_for_responses())
        return self

    async def _wait_for_responses(self) -> None:
        try:
            while True:
                output = await self._backend.stdout.readuntil(b",")
                response = json.loads(base64.b64decode(output[:-1]))
                if response is None:
                    continue
                payload = response.get("payload") or {}
                message_id = response.get("message_id")
                if message_id is None and payload.get("original_message"):
                    message_id = json.loads(payload["original_message"]).get("message_id")
                future = self._responses.pop(message_id, None)
                if future is None or future.done():
                    continue
                if payload.get("type") == "Error":
                    future.set_exception(RuntimeError(f"Pagefind: {payload.get('message')}"))
                else:
                    future.set_result(payload)
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError) as error:
            for future in self._responses.values():  # the service stopped, or answered nonsense
                if not future.done():
                    future.set_exception(RuntimeError(f"Pagefind's service stopped answering: {error}"))
            self._responses.clear()
