"""Score the dates stage on TimeML data (TempEval-3: TimeBank and AQUAINT).

Run ``python -m narrascope.eval.timeml DIR [DIR ...]`` on folders of ``.tml``
files (e.g. TempEval-3's ``TBAQ-cleaned/TimeBank`` and ``TBAQ-cleaned/AQUAINT``).
Each document's ``<TEXT>`` is the text, its ``<DCT>`` value the document date.
Reported, as in TempEval-3 task A: timex extraction precision, recall and F1 with
strict (same span) and relaxed (overlapping span) matching, value accuracy over
the relaxed matches, value F1 (a correct value counts), and type accuracy.
``--dateparser`` also measures dateparser alone on the gold DATE expressions.
"""

from __future__ import annotations

import argparse
import re
import sys
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from narrascope.model import CONTENT, Document, Region, Timex

__all__ = ["GoldTimex", "Score", "TimeMLDoc", "main", "read_timeml", "score"]

_KIND_TYPE = {"date": "DATE", "range": "DATE", "time": "TIME", "duration": "DURATION",
              "set": "SET"}


@dataclass(frozen=True, slots=True)
class GoldTimex:
    start: int
    end: int
    text: str
    type: str
    value: str


@dataclass(frozen=True, slots=True)
class TimeMLDoc:
    name: str
    text: str
    dct: str | None
    timexes: tuple[GoldTimex, ...]


def read_timeml(path: Path) -> TimeMLDoc:
    """The plain text of ``<TEXT>``, its TIMEX3 spans and the creation time."""
    root = ET.parse(path).getroot()  # noqa: S314 - local research data
    dct = None
    for t in root.iter("TIMEX3"):
        if t.get("functionInDocument") == "CREATION_TIME":
            dct = t.get("value")
            break
    body = root.find("TEXT")
    parts: list[str] = []
    gold: list[GoldTimex] = []

    def walk(el: ET.Element) -> None:
        start = sum(len(p) for p in parts)
        parts.append(el.text or "")
        for child in el:
            walk(child)
            parts.append(child.tail or "")
        if el.tag == "TIMEX3":
            end = sum(len(p) for p in parts)
            text = "".join(parts)[start:end]
            gold.append(GoldTimex(start, end, text, el.get("type", ""), el.get("value", "")))

    if body is not None:
        walk(body)
    return TimeMLDoc(path.stem, "".join(parts), dct, tuple(gold))


@dataclass
class Score:
    gold: int = 0
    system: int = 0
    strict: int = 0
    relaxed: int = 0
    value_ok: int = 0
    type_ok: int = 0
    errors: list[str] = field(default_factory=list)
    by_form: Counter[str] = field(default_factory=Counter)

    @staticmethod
    def _prf(hit: int, system: int, gold: int) -> tuple[float, float, float]:
        p = hit / system if system else 0.0
        r = hit / gold if gold else 0.0
        return p, r, (2 * p * r / (p + r) if p + r else 0.0)

    def lines(self) -> list[str]:
        out = [f"documents' gold timexes: {self.gold}, system timexes: {self.system}"]
        for name, hit in (("strict", self.strict), ("relaxed", self.relaxed)):
            p, r, f = self._prf(hit, self.system, self.gold)
            out.append(f"{name:8} P={p:.3f} R={r:.3f} F1={f:.3f}")
        acc = self.value_ok / self.relaxed if self.relaxed else 0.0
        _, _, vf = self._prf(self.value_ok, self.system, self.gold)
        tacc = self.type_ok / self.relaxed if self.relaxed else 0.0
        out.append(f"value    accuracy={acc:.3f} (of relaxed matches) F1={vf:.3f}")
        out.append(f"type     accuracy={tacc:.3f}")
        out.extend(
            f"narrascope {k:7} {self.by_form[k + ' ok']}/{self.by_form[k + ' total']}"
            " (gold DATE values found with the right value)"
            for k in _FORMS
        )
        return out


def score(gold: Sequence[GoldTimex], system: Sequence[Timex], into: Score) -> None:
    """Add one document's counts to ``into`` (one-to-one matching, strict first)."""
    into.gold += len(gold)
    for g in gold:
        if g.type == "DATE":
            into.by_form[f"{_form(g.value)} total"] += 1
    into.system += len(system)
    free = list(system)
    pairs: list[tuple[GoldTimex, Timex]] = []
    rest: list[GoldTimex] = []
    for g in gold:
        same = next((s for s in free if (s.start, s.end) == (g.start, g.end)), None)
        if same is not None:
            free.remove(same)
            into.strict += 1
            pairs.append((g, same))
        else:
            rest.append(g)
    for g in rest:
        over = next((s for s in free if s.start < g.end and g.start < s.end), None)
        if over is not None:
            free.remove(over)
            pairs.append((g, over))
        else:
            into.errors.append(f"missed {g.text!r} {g.value}")
    into.relaxed += len(pairs)
    for g, s in pairs:
        if _same_value(s.value, g.value):
            into.value_ok += 1
            if g.type == "DATE":
                into.by_form[f"{_form(g.value)} ok"] += 1
        else:
            into.errors.append(f"value {g.text!r} gold={g.value} got {s.text!r}={s.value}")
        if _KIND_TYPE.get(s.kind) == g.type:
            into.type_ok += 1
    into.errors.extend(f"spurious {s.text!r} {s.value}" for s in free)


_FORMS = ("day", "month", "year", "decade", "other")


def _form(value: str) -> str:
    """The granularity class of a gold DATE value (for the per-form breakdown)."""
    if re.fullmatch(r"\d{3}X?", value):
        return "decade"
    if re.fullmatch(r"\d{4}-\d\d-\d\d", value):
        return "day"
    if re.fullmatch(r"\d{4}-\d\d", value):
        return "month"
    return "year" if re.fullmatch(r"\d{4}", value) else "other"


def _same_value(system: str | None, gold: str) -> bool:
    """Equal values; a decade is ``196X`` or ``196`` (TimeBank writes both)."""
    def decade(value: str) -> str:
        return value[:3] if re.fullmatch(r"\d{3}X", value) else value

    return system is not None and decade(system) == decade(gold)


def _paragraphs(text: str) -> tuple[Region, ...]:
    """One content region per paragraph (lines separated by a blank line), as in a build."""
    return tuple(Region(m.start(), m.end(), CONTENT)
                 for m in re.finditer(r"\S(?:.|\n(?!\s*\n))*", text))


def _documents(dirs: Sequence[str]) -> Iterator[TimeMLDoc]:
    for d in dirs:
        for path in sorted(Path(d).glob("*.tml")):
            if not path.name.startswith("._"):
                yield read_timeml(path)


def _dateparser_scores(docs: Sequence[TimeMLDoc]) -> list[str]:
    """dateparser on the gold DATE strings: value accuracy at the gold's granularity."""
    from datetime import datetime

    import dateparser  # type: ignore[import-untyped]

    counts: Counter[str] = Counter()
    for doc in docs:
        base = datetime.fromisoformat(doc.dct[:10]) if doc.dct else None
        for g in doc.timexes:
            if g.type != "DATE":
                continue
            kind = _form(g.value)
            counts[f"{kind} total"] += 1
            settings = {"RELATIVE_BASE": base} if base else {}
            got = dateparser.parse(g.text, settings=settings)
            want = g.value.rstrip("X")
            if got is not None and kind != "other" and got.isoformat()[: len(want)] == want:
                counts[f"{kind} ok"] += 1
    return [
        f"dateparser {k:7} {counts[k + ' ok']}/{counts[k + ' total']}"
        " (gold DATE strings parsed to the right value, relative to the DCT)"
        for k in _FORMS
    ]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m narrascope.eval.timeml",
                                     description=__doc__.split("\n\n")[0] if __doc__ else "")
    parser.add_argument("dirs", nargs="+", metavar="DIR", help="folder of .tml files")
    parser.add_argument("--errors", type=int, default=0, metavar="N",
                        help="print N errors (missed, spurious, wrong value)")
    parser.add_argument("--dateparser", action="store_true",
                        help="also measure dateparser alone on the gold DATE strings")
    args = parser.parse_args(argv)

    from narrascope.extract.dates import timexes
    from narrascope.extract.nlp import load_nlp, parse_batch
    from narrascope.settings import Settings

    settings = Settings()
    nlp = load_nlp(settings)
    docs = list(_documents(args.dirs))
    if not docs:
        print("no .tml files found", file=sys.stderr)
        return 2
    total = Score()
    records = [
        Document(source=d.name, format="txt", text=d.text, published=d.dct,
                 regions=_paragraphs(d.text))
        for d in docs
    ]
    for i in range(0, len(records), 32):
        batch = records[i:i + 32]
        for record, parsed, gold in zip(batch, parse_batch(batch, nlp, settings),
                                        docs[i:i + 32], strict=True):
            score(gold.timexes, timexes(record, parsed, record.published), total)
    print(f"TimeML documents: {len(docs)} from {', '.join(args.dirs)}")
    for line in total.lines():
        print(line)
    for line in total.errors[: args.errors]:
        print("  " + line)
    if args.dateparser:
        for line in _dateparser_scores(docs):
            print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
