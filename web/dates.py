"""Free-form dates typed in the filters ("Feb 2017", "2017-02-07", "7 February 2017") -> the ISO
prefix retrieval filters on, at the precision the user gave. Errors never echo the input back."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from dateutil import parser as dateparser

from index.errors import BadInput

MAX_CHARS = 40
_YEAR = re.compile(r"^\d{4}$")
_YEAR_MONTH = re.compile(r"^(\d{4})[-/.](\d{1,2})$")
_DEFAULTS = (datetime(2001, 1, 1), datetime(2002, 2, 2))  # a field that differs was not given


class DateError(BadInput):
    """A short message for the user, fit to show next to the field."""


@dataclass(frozen=True)
class DateRange:
    since: str | None
    until: str | None


def parse_date(text: str | None, field: str = "Date") -> str | None:
    """``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` for what was typed; None for an empty field."""
    text = " ".join(str(text or "").split())
    if not text:
        return None
    hint = f"{field}: not a date I can read (try 2017-02-07, Feb 2017 or 2017)"
    if len(text) > MAX_CHARS:
        raise DateError(f"{field}: too long for a date (try 2017-02-07, Feb 2017 or 2017)")
    if _YEAR.match(text):
        return _checked(text, field)
    if m := _YEAR_MONTH.match(text):
        if not 1 <= int(m.group(2)) <= 12:
            raise DateError(hint)
        return _checked(f"{m.group(1)}-{int(m.group(2)):02d}", field)
    try:
        a, b = (dateparser.parse(text, default=d, dayfirst=False) for d in _DEFAULTS)
    except (ValueError, OverflowError, TypeError):
        raise DateError(hint) from None
    if a.year != b.year:
        raise DateError(f"{field}: include a year (e.g. Feb 2017)")
    if a.month != b.month:
        return _checked(f"{a.year:04d}", field)
    if a.day != b.day:
        return _checked(f"{a.year:04d}-{a.month:02d}", field)
    return _checked(f"{a.year:04d}-{a.month:02d}-{a.day:02d}", field)


def _checked(iso: str, field: str) -> str:
    if not 1000 <= int(iso[:4]) <= 9999:
        raise DateError(f"{field}: the year must have four digits")
    return iso


def parse_range(since: str | None, until: str | None) -> DateRange:
    """Both bounds, checked in order (a reversed range is an error, not 'no passages')."""
    lo, hi = parse_date(since, "Since"), parse_date(until, "Until")
    if lo and hi and _start(lo) > _end(hi):
        raise DateError("Since is after Until: swap them")
    return DateRange(lo, hi)


def _start(iso: str) -> str:
    return (iso + "-01-01")[:10] if len(iso) == 4 else (iso + "-01")[:10]


def _end(iso: str) -> str:
    return (iso + "-12-31")[:10] if len(iso) == 4 else (iso + "-31")[:10]
