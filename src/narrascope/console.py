"""Terminal output of the CLI (rich): progress, summaries, tables.

Progress bars are drawn only on a terminal; piped output stays plain.
"""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Sequence
from types import TracebackType
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.progress import Progress as RichProgress
from rich.table import Table

from narrascope.pipeline import BuildReport
from narrascope.settings import Settings, settings_help
from narrascope.store import SearchHit, SqliteStore
from narrascope.store.check import CheckResult

__all__ = [
    "BuildProgress",
    "print_build_report",
    "print_check",
    "print_overview",
    "print_search_hits",
    "print_settings",
]


def _out() -> Console:
    return Console(highlight=False, soft_wrap=True)


class BuildProgress:
    """A progress bar on stderr when it is a terminal; silent otherwise."""

    def __init__(self, *, enabled: bool = True) -> None:
        self._bar: RichProgress | None = None
        self._task: Any = None
        self.enabled = enabled and sys.stderr.isatty()

    def __enter__(self) -> BuildProgress:
        return self

    def __exit__(
        self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def start(self, total: int) -> None:
        if not self.enabled:
            return
        self._bar = RichProgress(
            TextColumn("[bold]building"), BarColumn(), MofNCompleteColumn(),
            TextColumn("inputs"), TimeElapsedColumn(), TimeRemainingColumn(),
            TextColumn("{task.fields[current]}", style="dim"),
            console=Console(stderr=True), transient=True,
        )
        self._bar.start()
        self._task = self._bar.add_task("build", total=total, current="")

    def advance(self, source: str) -> None:
        if self._bar is not None:
            self._bar.update(self._task, advance=1, current=source[-60:])

    def stop(self) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None


def print_build_report(report: BuildReport, db: str) -> None:
    console = _out()
    console.print(
        f"[bold]{report.added}[/] added, {report.unchanged} already stored, "
        f"{len(report.skipped)} skipped, {report.entities} entities "
        f"in {report.seconds:.1f}s -> {escape(db)}"
    )
    if report.skipped and console.is_terminal:
        table = Table("skipped input", "reason", title="Skipped", title_justify="left")
        for s in report.skipped:
            table.add_row(escape(s.source), escape(s.reason))
        console.print(table)
    else:  # piped: one plain line per skipped input, never truncated
        for s in report.skipped:
            console.print(f"skipped: {escape(s.source)}: {escape(s.reason)}")
    if not report.documents:
        console.print("[red]nothing was ingested[/]")


def print_search_hits(query: str, hits: list[SearchHit]) -> None:
    console = _out()
    if not hits:
        console.print(f"no match for {escape(query)!r}")
        return
    for hit in hits:
        snippet = escape(hit.snippet).replace("\x02", "[bold yellow]").replace("\x03", "[/]")
        title = escape(hit.title or "(untitled)")
        console.print(f"[bold]{title}[/]  [dim]{hit.doc} {escape(hit.source)}[/]")
        console.print(f"  {' '.join(snippet.split())}")


def print_overview(store: SqliteStore) -> None:
    """Documents with their metadata and content share, and the top entities."""
    console = _out()
    docs = Table("doc", "title", "author", "published", "site", "content", title="Documents",
                 title_justify="left")
    for row in store.documents():
        regions = store.regions(row["id"])
        content = sum(r["end"] - r["start"] for r in regions if r["kind"] == "content")
        share = content / max(1, len(row["text"]))
        docs.add_row(row["id"][:8], escape(row["title"] or ""), escape(row["author"] or ""),
                     row["published"] or "", escape(row["site"] or ""), f"{share:.0%}")
    console.print(docs)
    ents = Table("entity", "type", "mentions", "docs", "spellings", title="Top entities",
                 title_justify="left")
    for row in list(store.entities())[:15]:
        aliases = store.entity_aliases(row["id"])
        ents.add_row(escape(row["name"]), row["type"], str(row["mention_count"]),
                     str(row["doc_count"]), escape(", ".join(a for a, _ in aliases[:4])))
    console.print(ents)
    kinds = Counter(
        r["kind"] for r in store.query("SELECT kind FROM regions WHERE kind != 'content'")
    )
    if kinds:
        listed = ", ".join(f"{k} {n}" for k, n in kinds.most_common())
        console.print(f"Boilerplate regions: {listed}")


def print_check(results: Sequence[CheckResult]) -> None:
    console = _out()
    for r in results:
        mark = "[green]ok[/]  " if r.ok else "[red]FAIL[/]"
        console.print(f"{mark} {r.name}: {escape(r.detail)}")


def print_settings(settings: Settings) -> None:
    """A table on a terminal; piped, a TOML file with comments to start a config from."""
    console = _out()
    if console.is_terminal:
        table = Table("setting", "value", "default", "what it does")
        for name, help_text, default in settings_help():
            table.add_row(name, repr(getattr(settings, name)), repr(default), help_text)
        console.print(table)
        return
    lines = ["[narrascope]"]
    for name, help_text, default in settings_help():
        lines += [f"# {help_text} (default: {_toml(default)})",
                  f"{name} = {_toml(getattr(settings, name))}"]
    sys.stdout.write("\n".join(lines) + "\n")


def _toml(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return repr(value)


def print_entities(listed: Sequence[tuple[Any, list[tuple[str, int]]]]) -> None:
    """Entities with their type, counts and spellings."""
    table = Table("entity", "type", "mentions", "docs", "spellings", "merged by",
                  title="Entities", title_justify="left")
    for row, aliases in listed:
        rules = sorted({str(r.get("rule")) for r in _rules(row["merged_by"])})
        table.add_row(escape(row["name"]), row["type"], str(row["mention_count"]),
                      str(row["doc_count"]),
                      escape(", ".join(f"{a} ({n})" for a, n in aliases[:8])),
                      escape(", ".join(rules)))
    _out().print(table)


def _rules(merged_by: str | None) -> list[dict[str, Any]]:
    import json

    if not merged_by:
        return []
    rules = json.loads(merged_by).get("rules", [])
    return [r for r in rules if isinstance(r, dict)]


def print_entity_profile(p: Any) -> None:
    """One entity's profile (:class:`narrascope.corpus.profiles.EntityProfile`)."""
    console = _out()
    seen = f"{p.first_seen or '?'} .. {p.last_seen or '?'}"
    console.print(f"[bold]{escape(p.name)}[/bold]  {p.type}  {p.mention_count} mentions in "
                  f"{len(p.docs)} documents, dated {seen}  (id {p.id})")
    console.print("Spellings: " + escape(", ".join(f"{a} ({n})" for a, n in p.aliases)))
    if p.titles:
        console.print("Titles: " + escape(", ".join(f"{t} ({n})" for t, n in p.titles.items())))
    why = Table("rule", "names", "evidence", title="Why these mentions are one entity",
                title_justify="left")
    for rule in p.merged_by[:20]:
        evidence = rule.get("evidence")
        where = f"{evidence['doc'][:8]}@{evidence['start']}" if isinstance(evidence, dict) else ""
        times = f" (x{rule['count']})" if rule.get("count") else ""
        why.add_row(str(rule.get("rule")) + times,
                    escape(" = ".join(map(str, rule.get("names", [])))), where)
    console.print(why)
    docs = Table("doc", "title", "published", "mentions", title="Documents", title_justify="left")
    for d in p.docs:
        docs.add_row(d["id"][:8], escape(d["title"] or d["source"]), d["published"] or "",
                     str(d["mentions"]))
    console.print(docs)
    if p.cooccurring:
        console.print("Named with: " + escape(", ".join(f"{n} ({c})" for _, n, c in
                                                        p.cooccurring)))
    for s in p.sentences[:10]:
        text = " ".join(s["text"].split())
        console.print(f"  {s['doc'][:8]}@{s['start']}: {escape(text[:240])}")
