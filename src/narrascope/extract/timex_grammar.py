"""The grammar of temporal expressions: patterns and their TIMEX3-style readings.

Each rule is a regular expression and a function from its match to a
:class:`Reading`: either a value that needs no anchor (``1976-08-28``, ``196X``,
``P20Y``, ``1980/1988``), or a relative expression with the anchor it needs
(``deictic``: the document's date; ``anaphoric``: the last absolute date of the
discourse, else the document's date). :mod:`narrascope.extract.dates` finds the
matches in a text, picks the anchors and resolves them with :func:`resolve`.

Everything here is generic English temporal vocabulary; nothing is tied to a corpus.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import timedelta

from narrascope.extract.timex_values import (
    DECADE_WORDS,
    NEEDS,
    ORDINALS,
    SEASONS,
    SET_WORDS,
    UNIT_FACTOR,
    UNITS,
    VAGUE_NUMBERS,
    WEEKDAYS,
    Anchor,
    Reading,
    day_number,
    iso,
    month_number,
    number,
    shift_month,
    sort_key,
    valid_day,
)

__all__ = [
    "NEEDS",
    "RULES",
    "Anchor",
    "Reading",
    "Rule",
    "duration_prefix",
    "number",
    "resolve",
    "sort_key",
]

MONTH = (r"(?:Jan(?:uary|\.)?|Feb(?:ruary|\.)?|Mar(?:ch|\.)?|Apr(?:il|\.)?|May|June?|July?"
         r"|Aug(?:ust|\.)?|Sep(?:tember|t\.|\.)?|Oct(?:ober|\.)?|Nov(?:ember|\.)?"
         r"|Dec(?:ember|\.)?)")
WEEKDAY = r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
WEEKDAY_ABBR = r"(?:Mon|Tues?|Wed|Thu(?:rs?)?|Fri|Sat|Sun)\.?"
YEAR = r"(?:1[5-9]\d\d|20\d\d)"
DAY = r"(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?"
NUM = (r"(?:\d+(?:\.\d+)?|(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)"
       r"(?:[- ](?:one|two|three|four|five|six|seven|eight|nine))?|one|two|three|four|five"
       r"|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen"
       r"|seventeen|eighteen|nineteen|a|an|a hundred|hundred)")
UNIT = r"(?:seconds?|minutes?|hours?|days?|weeks?|months?|years?|decades?|century|centuries)"
_WD_PREFIX = rf"(?:(?:{WEEKDAY}|{WEEKDAY_ABBR}),?\s+)?"


@dataclass(frozen=True, slots=True)
class Rule:
    name: str
    pattern: re.Pattern[str]
    read: Callable[[re.Match[str]], Reading | None]
    #: found in every match of ``pattern``: a text without it need not be scanned
    cue: re.Pattern[str] | None = None


def _absolute(value: str, granularity: str, kind: str = "date") -> Reading:
    return Reading(kind, value, granularity)


# -- readings of each rule -------------------------------------------------------------


def _read_mdy(m: re.Match[str]) -> Reading | None:
    y, mo, d = int(m["y"]), month_number(m["mon"]), day_number(m["d"])
    return _absolute(iso(y, mo, d), "day") if valid_day(y, mo, d) else None


def _read_iso(m: re.Match[str]) -> Reading | None:
    y, mo, d = int(m["y"]), int(m["mo"]), int(m["d"])
    return _absolute(iso(y, mo, d), "day") if valid_day(y, mo, d) else None


def _read_slash(m: re.Match[str]) -> Reading | None:
    a, b, y = int(m["a"]), int(m["b"]), int(m["y"])
    mo, d = (b, a) if a > 12 else (a, b)
    return _absolute(iso(y, mo, d), "day") if valid_day(y, mo, d) else None


def _read_month_year(m: re.Match[str]) -> Reading:
    return _absolute(iso(int(m["y"]), month_number(m["mon"])), "month")


def _read_season_year(m: re.Match[str]) -> Reading:
    return _absolute(f"{int(m['y']):04d}-{SEASONS[m['season'].lower()]}", "season")


def _read_part_year(m: re.Match[str]) -> Reading:
    ordinal = ORDINALS[m["ord"].lower()]
    if m["part"].lower() == "half":
        return _absolute(f"{int(m['y']):04d}-H{min(ordinal, 2)}", "half")
    return _absolute(f"{int(m['y']):04d}-Q{ordinal}", "quarter")


def _read_year(m: re.Match[str]) -> Reading:
    return _absolute(m["y"], "year")


def _read_decade(m: re.Match[str]) -> Reading | None:
    if m["dec"]:
        if m["dec"].endswith("00"):
            return _absolute(m["dec"][:2], "century")
        return _absolute(m["dec"][:3] + "X", "decade")
    if m["short"]:
        return _absolute(f"19{m['short']}X", "decade")
    return _absolute(f"19{DECADE_WORDS[m['word'].lower()]}X", "decade")


def _read_century(m: re.Match[str]) -> Reading:
    return _absolute(f"{int(m['c']) - 1:02d}", "century")


def _read_range(m: re.Match[str]) -> Reading | None:
    a, b = m["a"], m["b"]
    if len(b) == 2:
        b = a[:2] + b
    if not int(a) < int(b) <= int(a) + 200:
        return None
    return Reading("range", f"{a}/{b}", "year", a, b)


def _read_duration(m: re.Match[str]) -> Reading | None:
    unit_text = m["unit"].lower()
    code, gran = next(v for k, v in UNITS.items() if unit_text.startswith(k))
    if m["num"] is None and not m["pre"]:
        return None
    plural = unit_text.endswith("s") or unit_text == "centuries"
    vague = (m["num"] is None and plural) or (m["num"] or "").lower() in VAGUE_NUMBERS
    n: float | int | None = None if vague else 1
    if not vague and m["num"] is not None:
        raw = m["num"].lower()
        n = float(raw) if "." in raw else number(raw)
        if n is None:
            return None
    factor = UNIT_FACTOR.get(gran, 1)
    amount = "X" if n is None else _fmt(n * factor)
    prefix = "PT" if gran in {"hour", "minute", "second"} else "P"
    return Reading("duration", f"{prefix}{amount}{code}", gran)


def _fmt(n: float) -> str:
    return str(int(n)) if float(n).is_integer() else str(n)


def _read_set(m: re.Match[str]) -> Reading | None:
    word = m.group(0).lower()
    if word in SET_WORDS:
        return Reading("set", SET_WORDS[word], "set")
    unit = m["unit"].lower()
    if unit.endswith("day") and unit != "day":
        return Reading("set", f"XXXX-WXX-{WEEKDAYS[unit[:3]] + 1}", "set")
    code = {"day": "P1D", "week": "P1W", "month": "P1M", "year": "P1Y", "morning": "P1D",
            "night": "P1D", "evening": "P1D"}[unit]
    return Reading("set", code, "set")


def _read_vague(m: re.Match[str]) -> Reading:
    word = m.group(0).lower()
    if word in {"now", "currently", "nowadays", "at present", "at the moment"}:
        return Reading("date", "PRESENT_REF", "vague")
    if word in {"the future", "soon"}:
        return Reading("date", "FUTURE_REF", "vague")
    return Reading("date", "PAST_REF", "vague")


def _relative(kind: str, needs: str, fn: Callable[[Anchor, str], tuple[str, str] | None]
              ) -> Reading:
    return Reading(kind, needs=needs, relative=fn)


def _read_deictic_day(m: re.Match[str]) -> Reading:
    word = m.group(0).lower()
    shift = -1 if word == "yesterday" else 1 if word == "tomorrow" else 0

    def fn(a: Anchor, tense: str) -> tuple[str, str] | None:
        d = a.as_date()
        return None if d is None else ((d + timedelta(days=shift)).isoformat(), "day")

    return _relative("date", "deictic", fn)


def _read_day_part(m: re.Match[str]) -> Reading:
    which = (m["which"] or "this").lower()
    part = {"morning": "MO", "afternoon": "AF", "evening": "EV", "night": "NI"}[
        (m["part"] or "night").lower()]
    shift = -1 if which in {"yesterday", "last"} else 1 if which == "tomorrow" else 0

    def fn(a: Anchor, tense: str) -> tuple[str, str] | None:
        d = a.as_date()
        return None if d is None else (f"{(d + timedelta(days=shift)).isoformat()}T{part}",
                                       "time")

    return Reading("time", needs="deictic", relative=fn)


def _read_weekday(m: re.Match[str]) -> Reading:
    target = WEEKDAYS[m["wd"].lower()[:3]]
    which = (m["which"] or "").lower()

    def fn(a: Anchor, tense: str) -> tuple[str, str] | None:
        d = a.as_date()
        if d is None:
            return None
        back = (d.weekday() - target) % 7
        ahead = (target - d.weekday()) % 7
        if which == "last" or (not which and tense == "past"):
            delta = -(back or 7) if which == "last" else -back
        elif which == "next" or (not which and tense == "future"):
            delta = ahead or 7
        else:
            delta = -back if back <= ahead else ahead
        if part:
            return f"{(d + timedelta(days=delta)).isoformat()}T{part}", "time"
        return (d + timedelta(days=delta)).isoformat(), "day"

    part = {"morning": "MO", "afternoon": "AF", "evening": "EV", "night": "NI"}.get(
        (m["part"] or "").lower(), "")
    return _relative("date", "deictic", fn)


def _read_quarter(m: re.Match[str]) -> Reading:
    ordinal = ORDINALS[m["ord"].lower()] if m["ord"] else 0
    half = (m["part"] or "").lower() == "half"

    def fn(a: Anchor, tense: str) -> tuple[str, str] | None:
        if a.month is None:
            return None
        current = (a.month - 1) // 3 + 1
        if not ordinal:
            q = current - 1
            return (f"{a.year:04d}-Q{q}", "quarter") if q else (f"{a.year - 1:04d}-Q4",
                                                                 "quarter")
        if half:
            n = min(ordinal, 2)
            y = a.year if n <= (a.month - 1) // 6 + 1 else a.year - 1
            return f"{y:04d}-H{n}", "half"
        y = a.year if ordinal <= current else a.year - 1
        return f"{y:04d}-Q{ordinal}", "quarter"

    return _relative("date", "deictic", fn)


def _read_this_unit(m: re.Match[str]) -> Reading | None:
    which = m["which"].lower()
    unit = m["unit"].lower()
    k = {"last": -1, "past": -1, "previous": -1, "next": 1, "coming": 1}.get(which, 0)

    def fn(a: Anchor, tense: str) -> tuple[str, str] | None:
        if unit == "year":
            return iso(a.year + k), "year"
        if unit == "decade":
            return f"{str(a.year + 10 * k)[:3]}X", "decade"
        if unit in SEASONS:
            y = a.year + k if k else a.year
            return f"{y:04d}-{SEASONS[unit]}", "season"
        if a.month is None:
            return None
        if unit == "month":
            return iso(*shift_month(a.year, a.month, k)), "month"
        if unit == "quarter":
            q = (a.month - 1) // 3 + k
            return f"{a.year + q // 4:04d}-Q{q % 4 + 1}", "quarter"
        d = a.as_date()
        if d is None:
            return None
        cal = (d + timedelta(weeks=k)).isocalendar()
        suffix = "-WE" if unit == "weekend" else ""
        return f"{cal.year:04d}-W{cal.week:02d}{suffix}", "week"

    return _relative("date", "deictic", fn)


def _read_month_relative(m: re.Match[str]) -> Reading:
    month = month_number(m["mon"])
    which = (m["which"] or "").lower()
    of_year = (m["ofyear"] or "").lower()
    needs = "deictic" if which or of_year else "narrative"

    def fn(a: Anchor, tense: str) -> tuple[str, str] | None:
        if of_year:
            k = {"last": -1, "next": 1}.get(of_year, 0)
            return iso(a.year + k, month), "month"
        if needs == "narrative" and a.month is None:
            return iso(a.year, month), "month"
        if a.month is None:
            return None
        if which in {"last", "past"} or (not which and tense == "past"):
            y = a.year if month < a.month or (not which and month == a.month) else a.year - 1
        elif which == "next" or (not which and tense == "future"):
            y = a.year if month > a.month else a.year + 1
        elif which == "this":
            y = a.year
        else:
            y = a.year - 1 if month - a.month > 6 else a.year + 1 if a.month - month > 6 else a.year
        return iso(y, month), "month"

    return _relative("date", needs, fn)


def _read_month_day(m: re.Match[str]) -> Reading:
    month, day = month_number(m["mon"]), day_number(m["d"])

    def fn(a: Anchor, tense: str) -> tuple[str, str] | None:
        y = a.year
        if a.month is not None and a.day is not None:
            if tense == "past" and (month, day) > (a.month, a.day):
                y -= 1
            elif tense == "future" and (month, day) < (a.month, a.day):
                y += 1
        return (iso(y, month, day), "day") if valid_day(y, month, day) else None

    return _relative("date", "narrative", fn)


def _offset(a: Anchor, n: int, unit: str) -> tuple[str, str] | None:
    if unit in {"year", "decade", "century"}:
        return iso(a.year + n * UNIT_FACTOR.get(unit, 1)), "year"
    if a.month is None:
        return None
    if unit == "month":
        return iso(*shift_month(a.year, a.month, n)), "month"
    d = a.as_date()
    if d is None or unit not in {"day", "week"}:
        return None
    if unit == "week":
        cal = (d + timedelta(weeks=n)).isocalendar()
        return f"{cal.year:04d}-W{cal.week:02d}", "week"
    return (d + timedelta(days=n)).isoformat(), "day"


def _read_shift(m: re.Match[str]) -> Reading | None:
    raw = m["num"].lower()
    direction = m["dir"].lower()
    sign = -1 if direction in {"ago", "before", "earlier", "prior"} else 1
    n = number(raw)
    if n is None or not m["unit"]:
        if raw in VAGUE_NUMBERS or (raw in {"years", "months"} and not m["unit"]):
            if direction == "ago":
                return Reading("date", "PAST_REF", "vague")
            return Reading("date", reason="a vague offset from a time that is not given")
        return None
    gran = next(v for k, v in UNITS.items() if m["unit"].lower().startswith(k))[1]
    needs = {"ago": "deictic", "later": "anaphoric", "earlier": "anaphoric"}.get(
        direction, "following")
    return _relative("date", needs, lambda a, tense: _offset(a, sign * n, gran))


def _read_anaphoric_unit(m: re.Match[str]) -> Reading:
    which = (m["which"] or "same").lower()
    unit = m["unit"].lower()
    k = 1 if which in {"following", "next"} else -1 if which in {"previous", "preceding"} else 0
    return _relative("date", "anaphoric", lambda a, tense: _offset(a, k, unit))


def _read_time(m: re.Match[str]) -> Reading | None:
    hour = int(m["h"])
    minute = int(m["mi"] or 0)
    ampm = (m["ampm"] or "").lower().replace(".", "")
    if ampm == "pm" and hour < 12:
        hour += 12
    elif ampm == "am" and hour == 12:
        hour = 0
    if hour > 23 or minute > 59:
        return None
    clock = f"T{hour:02d}:{minute:02d}"
    return Reading("time", clock, "time", needs="sentence")


def _read_time_any(m: re.Match[str]) -> Reading | None:
    if m["h"] is not None:
        return _read_time(m)
    fake = re.match(r"(?P<h>\d+):(?P<mi>\d+)(?P<ampm>)", f"{m['h2']}:{m['mi2']}")
    return _read_time(fake) if fake else None


def _rule(name: str, pattern: str, read: Callable[[re.Match[str]], Reading | None],
          flags: int = 0, cue: str | None = None) -> Rule:
    return Rule(name, re.compile(pattern, flags), read, re.compile(cue) if cue else None)


# Cues of the slow rules (a part every match has, so a cheap pre-test of a text)
_PART_CUE = r"(?i:quarter|half)"
_DECADE_CUE = r"0['’]?s|(?i:ties)"  # 1990s 1990's '90s / twenties ... nineties
_SHIFT_CUE = r"(?i:ago|later|earlier|after|before|prior)"
_UNIT_CUE = r"(?i:second|minute|hour|day|week|month|year|decade|centur)"


_MOD = r"(?:(?i:early|mid|late|the end of|the beginning of|the start of|the middle of)[- ]\s*)?"

RULES: tuple[Rule, ...] = (
    _rule("range", rf"(?i:from|between)\s+(?P<a>{YEAR})\s+(?i:to|and|until|till|through)"
          rf"\s+(?P<b>{YEAR})\b", _read_range),
    _rule("range-dash", rf"\b(?P<a>{YEAR})\s?[-–—/]\s?(?P<b>{YEAR}|\d\d)\b(?![-/]\d)",
          _read_range),
    _rule("day-month-year", rf"\b{_WD_PREFIX}(?P<d>{DAY})\s+(?:of\s+)?(?P<mon>{MONTH}),?\s+"
          rf"(?P<y>{YEAR})\b", _read_mdy),
    _rule("month-day-year", rf"\b{_WD_PREFIX}(?P<mon>{MONTH})\s+(?P<d>{DAY}),?\s+"
          rf"(?P<y>{YEAR})\b", _read_mdy),
    _rule("iso", rf"\b(?P<y>{YEAR})-(?P<mo>0[1-9]|1[0-2])-(?P<d>[0-3]\d)\b", _read_iso),
    _rule("slash", rf"\b(?P<a>[01]?\d|[23]\d)/(?P<b>[0-3]?\d)/(?P<y>{YEAR})\b", _read_slash),
    _rule("month-year", rf"\b{_MOD}(?P<mon>{MONTH}),?\s+(?:(?i:of)\s+)?(?P<y>{YEAR})\b",
          _read_month_year),
    _rule("season-year", rf"(?i:\b(?:the\s+)?{_MOD}(?P<season>spring|summer|autumn|fall|winter)"
          rf"(?:\s+of)?\s+)(?P<y>{YEAR})\b", _read_season_year),
    _rule("part-year", rf"(?i:\b(?:the\s+)?(?P<ord>first|second|third|fourth|1st|2nd|3rd|4th"
          rf"|last|final)[- ](?P<part>quarter|half)(?:\s+of)?\s+(?:fiscal\s+)?)(?P<y>{YEAR})\b",
          _read_part_year, cue=_PART_CUE),
    _rule("decade", r"(?:\b(?i:the)\s+)?(?:(?i:early|mid|late)[- ]\s*)?(?:\b(?P<dec>1[5-9]\d0"
          r"|20[0-2]0)(?:'s|’s|s)\b|['’](?P<short>[1-9])0s\b|\b(?P<word>(?i:twenties|thirties"
          r"|forties|fifties|sixties|seventies|eighties|nineties))\b)", _read_decade,
          cue=_DECADE_CUE),
    _rule("century", r"(?i:\b(?:the\s+)?(?:early\s+|late\s+|mid-)?(?P<c>1\d|2[01])(?:st|nd|rd|th)"
          r"[- ]century)\b", _read_century, cue=r"(?i:century)"),
    _rule("year", rf"\b{_MOD}(?:(?i:fiscal|calendar)\s+)?(?<![\d$€£#.,/])(?<!\d-)(?P<y>{YEAR})\b"
          rf"(?![.,]\d|%|-\d|\s?(?i:percent|per cent))", _read_year),
    _rule("deictic-day", r"\b(?i:yesterday|today|tomorrow|tonight)\b", _read_deictic_day),
    _rule("day-part", r"\b(?i:(?P<which>this|yesterday|tomorrow|last)\s+(?P<part>morning"
          r"|afternoon|evening|night))\b|\b(?P<tonight>(?i:tonight))\b", _read_day_part),
    _rule("weekday", rf"\b(?:(?P<which>(?i:last|next|this|past))\s+)?(?P<wd>{WEEKDAY})"
          rf"(?:\s+(?P<part>(?i:morning|afternoon|evening|night)))?\b", _read_weekday),
    _rule("quarter", r"(?i:\b(?:the\s+)?(?:fiscal\s+)?(?P<ord>first|second|third|fourth|1st|2nd"
          r"|3rd|4th)[- ](?P<part>quarter|half))\b|(?i:\bthe\s+(?:(?:latest|most recent|recent"
          r"|just-ended|just-completed)\s+)?quarter)\b", _read_quarter, cue=_PART_CUE),
    _rule("this-unit", r"\b(?i:(?:earlier|later)\s+)?(?P<which>(?i:last|next|this|past|previous"
          r"|coming|current))\s+(?P<unit>(?i:year|month|week|weekend|quarter|decade|spring"
          r"|summer|autumn|fall|winter))\b", _read_this_unit),
    _rule("month-rel", rf"\b(?:(?P<which>(?i:last|next|this|past))\s+)?(?P<mon>{MONTH})"
          r"(?:\s+(?i:of\s+)?(?P<ofyear>(?i:last|next|this))\s+(?i:year))?\b"
          r"(?!\s+\d)", _read_month_relative),
    _rule("month-day", rf"\b{_WD_PREFIX}(?P<mon>{MONTH})\s+(?P<d>{DAY})\b(?!,?\s*\d)",
          _read_month_day),
    _rule("day-month", rf"\b(?P<d>{DAY})\s+(?:of\s+)?(?P<mon>{MONTH})\b(?!,?\s*\d)",
          _read_month_day),
    _rule("shift", rf"(?i:\b(?:(?:more than|over|nearly|almost|about|around|some|at least"
          rf"|less than|just)\s+)?(?P<num>{NUM}|several|a few|few|many|some|a couple of|years"
          rf"|months)"
          rf"\s+(?P<unit>{UNIT}|)\s*(?P<dir>ago|later|earlier|after|before|prior))\b",
          _read_shift, cue=_SHIFT_CUE),
    _rule("anaphoric-unit", r"(?i:\b(?:that|the\s+(?P<which>same|following|next|previous"
          r"|preceding))\s+(?P<unit>year|month|week|day))\b", _read_anaphoric_unit),
    _rule("duration", rf"(?i:\b(?:the\s+)?(?P<pre>(?:past|last|next|coming|previous|first"
          rf"|recent)\s+)?"
          rf"(?:(?:more than|over|nearly|almost|about|around|some|at least|up to|less than)\s+)?"
          rf"(?:(?P<num>{NUM}|several|a few|few|a couple of|many)[- ])?(?P<unit>{UNIT}))\b"
          rf"(?:-old)?", _read_duration, cue=_UNIT_CUE),
    _rule("set", r"(?i:\b(?:every|each)\s+(?P<unit>day|week|month|year|morning|night|evening"
          r"|monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b)|\b(?:annual|annually"
          r"|yearly|daily|weekly|monthly|hourly|nightly)\b", _read_set),
    _rule("time", r"\b(?P<h>[01]?\d|2[0-3])(?::(?P<mi>[0-5]\d))?\s*(?P<ampm>(?i:a\.m\.|p\.m\.|am"
          r"|pm))(?!\w)|\b(?P<h2>[01]?\d|2[0-3]):(?P<mi2>[0-5]\d)\b", _read_time_any),
    _rule("vague", r"(?i:\b(?:now|currently|nowadays|recently|at present|formerly|the future"
          r"|the past|in the past|soon)\b)", _read_vague),
)


def duration_prefix(text: str) -> tuple[int, Reading] | None:
    """The duration that starts ``text`` ("six days" of "six days after the vote")."""
    rule = next(r for r in RULES if r.name == "duration")
    m = rule.pattern.match(text)
    reading = rule.read(m) if m else None
    return (m.end(), reading) if m and reading else None


def resolve(reading: Reading, anchor: Anchor, tense: str) -> Reading | None:
    """The absolute reading of a relative one, given its anchor and the verb's tense."""
    if reading.relative is None:
        return reading
    got = reading.relative(anchor, tense)
    if got is None:
        return None
    return replace(reading, value=got[0], granularity=got[1], relative=None)

