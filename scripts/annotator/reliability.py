"""Source reliability: the policy file (outlets and their domains -> a class) and the rules a
reviewer applies to an annotation's sources.

`load_policy(path)` returns a Policy or raises AnnotationError; `check_sources(policy, annotation,
problems)` records every rule an annotation breaks. The classes, their labels and which of them
can carry a verdict alone are defined once, in the policy file itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from .errors import ProblemCollector
from .inputs import cached_by_stat, check_regular, read_text
from .model import Annotation, Source, SourceClass
from .paths import POLICY_NAME
from .yamlblock import parse_block

REPUBLISHER = "republisher"  # the class of sites that host other outlets' texts
JUDGED = ("supports", "contradicts")  # verdicts that must rest on a source that can carry one


@dataclass(frozen=True)
class Outlet:
    name: str
    aliases: tuple[str, ...]
    domains: tuple[str, ...]
    source_class: str
    reason: str
    line: int


@dataclass(frozen=True)
class Policy:
    path: Path
    classes: dict[str, SourceClass]
    outlets: tuple[Outlet, ...]

    def __post_init__(self):
        by_domain = {d: o for o in self.outlets for d in o.domains}
        by_name = {n.casefold(): o for o in self.outlets for n in (o.name, *o.aliases)}
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
        return self.for_url(source.url) if source.url else self.for_name(source.outlet)

    def class_of(self, source: Source) -> SourceClass | None:
        outlet = self.original(source)
        return self.classes.get(outlet.source_class) if outlet else None


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


def check_source(policy: Policy, source: Source, path, problems: ProblemCollector) -> None:
    """Provenance rules for one source: known domains, copies named as copies, originals named."""
    line = source.line or 1
    if source.url and policy.for_url(source.url) is None:
        _missing_domain(problems, path, line, source.url, "url")
    if source.via and policy.for_url(source.via) is None:
        _missing_domain(problems, path, line, source.via, "via")
    if source.archive_url and policy.for_url(source.archive_url) is None:
        _missing_domain(problems, path, line, source.archive_url, "archive_url")
    host = policy.for_url(source.url) if source.url else None
    if host is not None and host.source_class == REPUBLISHER:
        problems.add(
            path,
            line,
            1,
            f"{host_of(source.url)} republishes other outlets' texts, so it cannot be the original (url)",
            "move this address to via:, put the original outlet's name in outlet: "
            "and, if you know it, the original's address in url:",
        )
    named = policy.for_name(source.outlet)
    if host is not None and named is not None and named is not host and host.source_class != REPUBLISHER:
        problems.add(
            path,
            line,
            1,
            f"url is on {host_of(source.url)} ({host.name}) but outlet names {named.name}",
            f"if you read {named.name}'s text on {host_of(source.url)}, move this address to via:; "
            f"otherwise name {host.name} in outlet:",
        )
    if named is not None and named.source_class == REPUBLISHER:
        problems.add(
            path,
            line,
            1,
            f"outlet names {named.name}, which republishes other outlets' texts",
            "name the outlet that first published the text, and put the copy's address under via:",
        )
    if source.via and not source.url:
        original = named
        if original is None:
            problems.add(
                path,
                line,
                1,
                f"outlet {source.outlet!r} is not in the reliability policy",
                f"name the original publisher as annotations/{POLICY_NAME} names it, or add it there",
            )
        elif original is policy.for_url(source.via):
            problems.add(
                path,
                line,
                1,
                f"via names {host_of(source.via)}, the outlet's own site",
                "when you read the original on its own site, give it as url: and drop via:",
            )


def check_sources(policy: Policy, annotation: Annotation, problems: ProblemCollector) -> None:
    """Every source's provenance, and a judged verdict resting on at least one deciding source."""
    for source in annotation.sources:
        check_source(policy, source, annotation.path, problems)
    if annotation.relation not in JUDGED:
        return
    backing = [s for s in annotation.sources if s.relation == annotation.relation]
    classes = [policy.class_of(s) for s in backing]
    if classes and all(c is not None for c in classes) and not any(c.decides for c in classes):
        deciding = ", ".join(c.name for c in policy.classes.values() if c.decides)
        problems.add(
            annotation.path,
            annotation.line,
            1,
            f"relation '{annotation.relation}' rests only on "
            + ", ".join(sorted({c.label for c in classes}))
            + " sources",
            f"add a source that {annotation.relation.removesuffix('s')}s it from a {deciding} outlet, "
            "or use relation: qualifies and say in the note what the sources do and do not show",
        )
    elif not backing:
        problems.add(
            annotation.path,
            annotation.line,
            1,
            f"relation '{annotation.relation}' but no source has relation: {annotation.relation}",
            "mark the source that bears it out with the same relation, or change the annotation's relation",
        )


@cached_by_stat
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
        )
        if outlet.source_class not in classes:
            problems.add(
                path, line, 1, f"class {outlet.source_class!r} is not defined", "use one of: " + ", ".join(classes)
            )
        for domain in outlet.domains:
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
    if REPUBLISHER not in classes:
        problems.add(path, 1, 1, f"the class {REPUBLISHER!r} must be defined", "add it under classes:")
    problems.raise_if_any()
    return Policy(path, classes, tuple(outlets))
