"""Source reliability: the policy file (outlets and their domains -> a class) and the rules a
reviewer applies to an annotation's sources.

`load_policy(path)` returns a Policy or raises AnnotationError; `check_sources(policy, annotation,
problems)` records every rule an annotation breaks. The classes, their labels and which of them
can carry a verdict alone are defined once, in the policy file itself.
"""

from __future__ import annotations

import difflib
import ipaddress
import re
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

from .cache import CACHE
from .errors import ProblemCollector
from .inputs import check_regular, read_text
from .model import Annotation, Source, SourceClass
from .paths import POLICY_NAME
from .schema import RELATIONS
from .yamlblock import parse_block

REPUBLISHER = "republisher"  # the class of sites that host other outlets' texts
PRIMARY = "primary"  # the class of the record itself: an official statement, a transcript
JUDGED = tuple(r.name for r in RELATIONS if r.needs_deciding_source)  # x-needs-deciding-source: read-only view
# Host names that are never a public site: loopback, link-local, private and reserved names.
PRIVATE_NAMES = ("localhost", "local", "localdomain", "internal", "intranet", "lan", "home", "corp", "private",
                 "test", "example", "invalid", "onion", "arpa", "home.arpa")  # fmt: skip


@dataclass(frozen=True)
class Outlet:
    name: str
    aliases: tuple[str, ...]
    domains: tuple[str, ...]
    source_class: str
    reason: str
    line: int
    relays: tuple[str, ...] = ()  # outlets whose texts this one is known to relay, credited to them
    assessment: str | None = None  # a published assessment of the outlet (Wikipedia's perennial sources...)

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)


@dataclass(frozen=True)
class Standing(SourceClass):
    """A source's class in the policy (the original's: who said it), with the page it was read on.

    The class fields describe the original outlet. `read_class` is the class of the outlet owning
    the page read (the `via` host, else the original's own site). `faithful` says whether that page
    can carry the original's standing: the original's own site, or a copy on a host whose class
    has `copies: true` in the policy (archives and copy hosts, primary, reliable and mixed sites);
    a copy on a partisan, state-controlled or unreliable host cannot."""

    outlet: str = ""
    read_host: str = ""
    read_outlet: str = ""
    read_class: SourceClass | None = None
    faithful: bool = True

    @property
    def carries(self) -> bool:
        """Can this source carry a supports/contradicts verdict on its own?"""
        return self.decides and self.faithful


@dataclass(frozen=True)
class Policy:
    path: Path
    classes: dict[str, SourceClass]
    outlets: tuple[Outlet, ...]
    copies: frozenset[str] = frozenset()  # classes whose sites' copies of others' texts carry the original

    def __post_init__(self):
        by_domain = {d: o for o in self.outlets for d in o.domains}
        by_name = {n.casefold(): o for o in self.outlets for n in o.names}
        object.__setattr__(self, "_by_domain", by_domain)
        object.__setattr__(self, "_by_name", by_name)

    def for_url(self, url: str | None) -> Outlet | None:
        """The outlet whose domain (or a parent domain) hosts url."""
        host = host_of(url)
        parts = host.split(".")
        for i in range(len(parts) - 1):
            found = self._by_domain.get(".".join(parts[i:]))
            if found:
                return found
        return None

    def for_name(self, name: str) -> Outlet | None:
        return self._by_name.get(name.strip().casefold())

    def original(self, source: Source) -> Outlet | None:
        """The outlet that originally published a source: by its url, else by its outlet name."""
        by_url = self.for_url(source.url) if source.url else None
        if by_url is not None and by_url.source_class != REPUBLISHER:
            return by_url
        return self.for_name(source.outlet)

    def read_on(self, source: Source) -> Outlet | None:
        """The outlet owning the page the excerpt was read on."""
        return self.for_url(source.read_at)

    def faithful(self, source: Source) -> bool:
        """Was the text read on the original's site, an archive or copy host, or a copy on a host
        whose class the policy trusts with copies (`copies: true`)? A copy on a weak host does not."""
        if not source.via:
            return True
        host = self.read_on(source)
        if host is None or host is self.original(source):
            return True
        return host.source_class in self.copies

    def class_of(self, source: Source) -> Standing | None:
        outlet = self.original(source)
        cls = self.classes.get(outlet.source_class) if outlet else None
        if outlet is None or cls is None:
            return None
        read = self.read_on(source)
        return Standing(
            cls.name,
            cls.label,
            cls.description,
            cls.decides,
            outlet=outlet.name,
            read_host=host_of(source.read_at),
            read_outlet=read.name if read else "",
            read_class=self.classes.get(read.source_class) if read else None,
            faithful=self.faithful(source),
        )

    def suggest(self, name: str) -> list[str]:
        """Names in the policy close to name, for a message."""
        names = [n for o in self.outlets for n in o.names]
        return difflib.get_close_matches(name.strip(), names, n=3, cutoff=0.6)


def host_of(url: str | None) -> str:
    """The lower-case host name of url without 'www.' or a trailing dot."""
    host = (urlsplit(url or "").hostname or "").rstrip(".").lower()
    return host.removeprefix("www.")


def _missing_domain(problems, path, line, url, role) -> None:
    host = host_of(url)
    problems.add(
        path,
        line,
        1,
        f"{host} ({role}) is not in the reliability policy",
        f"add an entry for it to annotations/{POLICY_NAME} (name, domains: [{host}], class, reason); "
        "see CONTRIBUTING.md, 'How reliable is a source?'",
    )


def _unknown_outlet(policy: Policy, source: Source) -> tuple[str, str]:
    """Message and hint for an outlet name the policy does not know."""
    close = policy.suggest(source.outlet)
    hint = f"did you mean {' or '.join(close)}? " if close else ""
    return (
        f"outlet {source.outlet!r} is not in the reliability policy",
        hint + f"name the original publisher as annotations/{POLICY_NAME} names it, or add it there",
    )


def check_source(policy: Policy, source: Source, path, problems: ProblemCollector) -> None:
    """Provenance rules for one source: known domains, the outlet named as the url's site names it,
    copies named as copies, primary sources read on the primary's own pages, relays credited."""
    line = source.line or 1

    def add(message, hint):
        problems.add(path, line, 1, message, hint)

    for url, role in ((source.url, "url"), (source.via, "via"), (source.archive_url, "archive_url")):
        if url and policy.for_url(url) is None:
            _missing_domain(problems, path, line, url, role)
    host = policy.for_url(source.url) if source.url else None
    named = policy.for_name(source.outlet)
    if host is not None and host.source_class == REPUBLISHER:
        add(
            f"{host_of(source.url)} republishes other outlets' texts, so it cannot be the original (url)",
            "move this address to via:, put the original outlet's name in outlet: "
            "and, if you know it, the original's address in url:",
        )
    elif host is not None and named is not host:
        message = f"url is on {host_of(source.url)}, whose outlet is {host.name}: write outlet: {host.name}"
        if named is not None and named.source_class == PRIMARY:
            hint = (
                f"a page of {host.name} quoting {named.name} is a secondary source of it, credited to {host.name}; "
                f"cite {named.name} only where you read its own page (its site, an archive, a copy that reproduces "
                "it whole)"
            )
        elif named is not None:
            hint = f"or, if that page is a copy of {named.name}'s text, move its address to via:"
        else:
            hint = "or, if that page is a copy of another outlet's text, move its address to via: and name that outlet"
        add(message, hint)
    if named is not None and named.source_class == REPUBLISHER:
        add(
            f"outlet names {named.name}, which republishes other outlets' texts",
            "name the outlet that first published the text, and put the copy's address under via:",
        )
    if named is None and (host is None or host.source_class == REPUBLISHER):
        add(*_unknown_outlet(policy, source))
    read = policy.for_url(source.via) if source.via else None
    if source.via and not source.url and named is not None and named is read:
        add(
            f"via names {host_of(source.via)}, the outlet's own site",
            "when you read the original on its own site, give it as url: and drop via:",
        )
    if (
        named is not None
        and named.source_class == PRIMARY
        and read is not None
        and read is not named
        and read.source_class not in (PRIMARY, REPUBLISHER)
    ):
        add(
            f"outlet names {named.name}, a primary source, but the text was read on {host_of(source.via)} "
            f"({read.name}, {read.source_class})",
            f"a page quoting {named.name} is a secondary source of it: name {read.name} in outlet: and give its "
            f"address as url:; keep {named.name} for its own site, an archive of it, or a copy that reproduces it "
            "whole and names it",
        )
    relayer = named if named is not None and not source.url else host
    if relayer is not None and relayer.relays:
        credited = [r for r in relayer.relays if _mentions(f"{source.title} {source.excerpt}", policy, r)]
        if credited:
            add(
                f"{relayer.name} relays {credited[0]}, and this text credits {credited[0]}",
                f"a relayed text is credited to its origin: write outlet: {credited[0]} and give the page you read "
                "under via:",
            )


def _mentions(text: str, policy: Policy, name: str) -> bool:
    """Does text name the outlet called name (or one of its aliases) as a word?"""
    outlet = policy.for_name(name)
    names = outlet.names if outlet else (name,)
    return any(re.search(rf"(?<!\w){re.escape(n)}(?!\w)", text) for n in names)


def _weak_copies(policy: Policy, sources) -> str:
    return "; ".join(
        f"{s.outlet} read on {host_of(s.via)}" + (f" ({policy.read_on(s).source_class})" if policy.read_on(s) else "")
        for s in sources
    )


def check_sources(policy: Policy, annotation: Annotation, problems: ProblemCollector) -> None:
    """Every source's provenance, and a judged verdict resting on at least one deciding source
    whose text was read faithfully."""
    for source in annotation.sources:
        check_source(policy, source, annotation.path, problems)
    if not annotation.relation_row.needs_deciding_source:  # the relation table's x-needs-deciding-source
        return
    backing = [s for s in annotation.sources if s.relation == annotation.relation]
    standings = [policy.class_of(s) for s in backing]
    verb = annotation.relation.removesuffix("s")
    if not backing:
        problems.add(
            annotation.path,
            annotation.line,
            1,
            f"relation '{annotation.relation}' but no source has relation: {annotation.relation}",
            "mark the source that bears it out with the same relation, or change the annotation's relation",
        )
    elif any(c is None for c in standings) or any(c.carries for c in standings):
        return
    elif not any(c.decides for c in standings):
        deciding = ", ".join(c.name for c in policy.classes.values() if c.decides)
        problems.add(
            annotation.path,
            annotation.line,
            1,
            f"relation '{annotation.relation}' rests only on "
            + ", ".join(sorted({c.label for c in standings}))
            + " sources",
            f"add a source that {verb}s it from a {deciding} outlet, "
            "or use relation: qualifies and say in the note what the sources do and do not show",
        )
    else:
        weak = [s for s, c in zip(backing, standings, strict=True) if c.decides]
        problems.add(
            annotation.path,
            annotation.line,
            1,
            f"relation '{annotation.relation}' rests only on copies read on weak hosts: {_weak_copies(policy, weak)}",
            f"read the text on the original's own site, an archive of it or a faithful copy and cite that, "
            f"add another source that {verb}s it, or use relation: qualifies",
        )


def outlets_cited(policy: Policy, annotations) -> frozenset[str]:
    """The policy's outlets these annotations' sources cite: as the original, or as the site of
    a url, via or archive_url."""
    used: set[str] = set()
    for annotation in annotations:
        for source in annotation.sources:
            found = [policy.original(source), policy.for_name(source.outlet)]
            found += [policy.for_url(u) for u in (source.url, source.via, source.archive_url) if u]
            used.update(o.name for o in found if o is not None)
    return frozenset(used)


def check_unused(policy: Policy, used: set[str] | frozenset[str], problems: ProblemCollector) -> None:
    """Every outlet of the policy is cited by some source (used: outlets_cited of every
    annotation). An entry no source uses is refused (it is not reviewed by anyone)."""
    for outlet in policy.outlets:
        if outlet.name not in used:
            problems.add(
                policy.path,
                outlet.line,
                1,
                f"no source cites {outlet.name}",
                "remove the entry; add it back with the first source that cites it",
            )


def apply_policy(policy: Policy, files, problems: ProblemCollector, unused: bool = True):
    """Check every annotation of files against the policy (and, if unused, that every entry is
    cited); the files with each source's standing."""
    complete = len(problems) == 0  # with a file refused, its sources are unknown: skip the unused check
    for file in files:
        for annotation in file.annotations:
            check_sources(policy, annotation, problems)
    if unused and complete:
        check_unused(policy, outlets_cited(policy, [a for f in files for a in f.annotations]), problems)
    return [
        replace(f, annotations=tuple(
            replace(a, sources=tuple(replace(s, standing=policy.class_of(s)) for s in a.sources))
            for a in f.annotations
        ))
        for f in files
    ]  # fmt: skip


def _check_domain(path, line: int, domain: str, problems: ProblemCollector) -> None:
    """A policy domain is a public host name: not an address, not a private name, not a public suffix."""
    try:
        ipaddress.ip_address(domain)
    except ValueError:
        pass
    else:
        problems.add(path, line, 1, f"domain {domain} is an IP address", "list the outlet's public host name instead")
        return
    labels = domain.split(".")
    private = next((n for n in PRIVATE_NAMES if domain == n or domain.endswith("." + n)), None)
    if private is not None or labels[-1].isdigit():
        problems.add(
            path,
            line,
            1,
            f"domain {domain} is a local or reserved name, not a public site",
            "list the outlet's public host name instead",
        )
    elif _suffixes().is_public(domain):
        problems.add(
            path,
            line,
            1,
            f"domain {domain} is a public suffix: sites under it belong to unrelated owners",
            f"list the outlet's own domain under {domain} instead (e.g. name.{domain})",
        )


@cache
def _suffixes():
    from publicsuffixlist import PublicSuffixList

    return PublicSuffixList()


@CACHE.by_file
def load_policy(path: Path) -> Policy:
    """Read and check the policy file; raise AnnotationError listing every problem in it."""
    from .load import check_against_schema

    problems = ProblemCollector()
    text = read_text(path, problems, limit=1024 * 1024) if check_regular(path, problems) else None
    block = parse_block(path, text, 1, problems, "policy") if text is not None else None
    if block is not None:
        check_against_schema(path, block, "reliability", problems)
    problems.raise_if_any()
    value = block.value
    classes = {
        name: SourceClass(name, c["label"], c["description"], c["decides"]) for name, c in value["classes"].items()
    }
    copies = frozenset(name for name, c in value["classes"].items() if c.get("copies", c["decides"]))
    outlets, seen_domains, seen_names = [], {}, {}
    for i, entry in enumerate(value["outlets"]):
        line = block.line("outlets", i)
        outlet = Outlet(
            name=entry["name"],
            aliases=tuple(entry.get("aliases", ())),
            domains=tuple(d.lower().removeprefix("www.") for d in entry.get("domains", ())),
            source_class=entry["class"],
            reason=entry["reason"],
            line=line,
            relays=tuple(entry.get("relays", ())),
            assessment=entry.get("assessment"),
        )
        if outlet.source_class not in classes:
            problems.add(
                path, line, 1, f"class {outlet.source_class!r} is not defined", "use one of: " + ", ".join(classes)
            )
        for domain in outlet.domains:
            _check_domain(path, line, domain, problems)
            if domain in seen_domains:
                problems.add(
                    path, line, 1, f"domain {domain} is already listed on line {seen_domains[domain]}", "keep one entry"
                )
            seen_domains.setdefault(domain, line)
        for name in (outlet.name, *outlet.aliases):
            if name.casefold() in seen_names:
                problems.add(
                    path,
                    line,
                    1,
                    f"name {name!r} is already listed on line {seen_names[name.casefold()]}",
                    "keep one entry",
                )
            seen_names.setdefault(name.casefold(), line)
        outlets.append(outlet)
    names = {n.casefold() for o in outlets for n in o.names}
    for outlet in outlets:
        for relayed in outlet.relays:
            if relayed.casefold() not in names:
                problems.add(path, outlet.line, 1, f"relays names {relayed!r}, which is not in the policy", "add it")
    if REPUBLISHER not in classes:
        problems.add(path, 1, 1, f"the class {REPUBLISHER!r} must be defined", "add it under classes:")
    problems.raise_if_any()
    return Policy(path, classes, tuple(outlets), copies)
