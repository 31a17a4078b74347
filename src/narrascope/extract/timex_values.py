"""Values of temporal expressions: anchors, readings, numerals and sort keys.

The vocabulary (month, weekday, unit and number words) and the records shared by
the grammar (:mod:`narrascope.extract.timex_grammar`) and the dates stage
(:mod:`narrascope.extract.dates`). Generic English only.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

__all__ = [
    "DECADE_WORDS",
    "MONTHS",
    "NEEDS",
    "NUMBERS",
    "ORDINALS",
    "SEASONS",
    "SET_WORDS",
    "UNITS",
    "UNIT_FACTOR",
    "VAGUE_NUMBERS",
    "WEEKDAYS",
    "Anchor",
    "Reading",
    "day_number",
    "iso",
    "month_number",
    "number",
    "shift_month",
    "sort_key",
    "valid_day",
]

MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
    "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12,
}
WEEKDAYS = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6}
NUMBERS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
    "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17,
    "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50,
    "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90, "hundred": 100,
    "half": 0, "a couple of": 2, "couple of": 2,
}
VAGUE_NUMBERS = ("several", "a few", "few", "many", "some")
#: What a relative reading is resolved against (``Reading.needs``): the document's date,
#: the discourse's last absolute date, the date expression that follows ("after June 3"),
#: or the day named in the same sentence (a time of day).
#: ``narrative`` is anaphoric only inside a narrated past (a month or day without a year).
NEEDS = ("deictic", "anaphoric", "narrative", "following", "sentence")
UNITS = {
    "second": ("S", "second"), "minute": ("M", "minute"), "hour": ("H", "hour"),
    "day": ("D", "day"), "week": ("W", "week"), "month": ("M", "month"),
    "year": ("Y", "year"), "decade": ("Y", "decade"), "centur": ("Y", "century"),
}
UNIT_FACTOR = {"decade": 10, "century": 100}
DECADE_WORDS = {
    "twenties": 2, "thirties": 3, "forties": 4, "fifties": 5, "sixties": 6,
    "seventies": 7, "eighties": 8, "nineties": 9,
}
SEASONS = {"spring": "SP", "summer": "SU", "autumn": "FA", "fall": "FA", "winter": "WI"}
ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "1st": 1, "2nd": 2,
             "3rd": 3, "4th": 4, "last": 4, "final": 4}
SET_WORDS = {"annual": "P1Y", "annually": "P1Y", "yearly": "P1Y", "daily": "P1D",
              "weekly": "P1W", "monthly": "P1M", "hourly": "PT1H", "nightly": "P1D"}

@dataclass(frozen=True, slots=True)
class Anchor:
    """A date to resolve against, as precise as it is known (year, month, day)."""

    year: int
    month: int | None = None
    day: int | None = None

    @staticmethod
    def parse(value: str | None) -> Anchor | None:
        """An anchor from an ISO date (``2009-06-21``, ``2009-06``, ``2009``...)."""
        if not value:
            return None
        m = re.match(r"(\d{4})(?:-(\d\d)(?:-(\d\d))?)?", value)
        if not m:
            return None
        return Anchor(int(m.group(1)), int(m.group(2)) if m.group(2) else None,
                      int(m.group(3)) if m.group(3) else None)

    def as_date(self) -> date | None:
        if self.month is None or self.day is None:
            return None
        return date(self.year, self.month, self.day)


@dataclass(frozen=True, slots=True)
class Reading:
    """What one match means. ``needs`` is ``None`` for an absolute value, else the
    kind of anchor (``deictic`` or ``anaphoric``) that ``relative`` takes."""

    kind: str
    value: str | None = None
    granularity: str | None = None
    start_value: str | None = None
    end_value: str | None = None
    needs: str | None = None
    relative: Callable[[Anchor, str], tuple[str, str] | None] | None = None
    reason: str | None = None


def number(text: str) -> int | None:
    """The integer of a numeral written in digits or words ("twenty-four", "a")."""
    text = text.lower().strip()
    if re.fullmatch(r"\d+", text):
        return int(text)
    if text in NUMBERS:
        return NUMBERS[text] or None
    total = 0
    for word in re.split(r"[- ]+", text):
        if word not in NUMBERS:
            return None
        total = total * 100 if word == "hundred" and total else total + NUMBERS[word]
    return total or None


def month_number(text: str) -> int:
    return MONTHS[text.lower()[:3]]


def day_number(text: str) -> int:
    return int(re.match(r"\d+", text).group(0))  # type: ignore[union-attr]


def iso(y: int, m: int | None = None, d: int | None = None) -> str:
    if m is None:
        return f"{y:04d}"
    return f"{y:04d}-{m:02d}" if d is None else f"{y:04d}-{m:02d}-{d:02d}"


def valid_day(y: int, m: int, d: int) -> bool:
    try:
        date(y, m, d)
    except ValueError:
        return False
    return True


def shift_month(y: int, mo: int, k: int) -> tuple[int, int]:
    n = y * 12 + mo - 1 + k
    return n // 12, n % 12 + 1


_GRAN_RANK = {"century": 0, "decade": 1, "year": 2, "half": 3, "quarter": 3, "season": 3,
              "month": 4, "week": 5, "day": 6, "time": 7}


def sort_key(value: str, granularity: str | None) -> str:
    """A string that sorts values chronologically, coarser before finer at the same start."""
    m = re.match(r"(\d{2})(\d|X)?(\d|X)?", value)
    if not m:
        return "9999"
    year = int(m.group(1) + (m.group(2) or "0").replace("X", "0")
               + (m.group(3) or "0").replace("X", "0"))
    month, day = 0, 0
    rest = value[4:]
    if (mm := re.match(r"-(\d\d)(?:-(\d\d))?", rest)) is not None:
        month, day = int(mm.group(1)), int(mm.group(2) or 0)
    elif (mm := re.match(r"-W(\d\d)", rest)) is not None:
        d = date.fromisocalendar(year, int(mm.group(1)), 1)
        month, day = d.month, d.day
    elif (mm := re.match(r"-Q(\d)", rest)) is not None:
        month = 3 * int(mm.group(1)) - 2
    elif (mm := re.match(r"-H(\d)", rest)) is not None:
        month = 6 * int(mm.group(1)) - 5
    elif (mm := re.match(r"-(SP|SU|FA|WI)", rest)) is not None:
        month = {"WI": 1, "SP": 3, "SU": 6, "FA": 9}[mm.group(1)]
    return f"{year:04d}-{month:02d}-{day:02d}-{_GRAN_RANK.get(granularity or '', 8)}"
