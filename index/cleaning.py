"""Strip page furniture from captured news articles by rules that hold across sites.

The input is raw page text (one paragraph per line, as captured, or text taken
from HTML). The output keeps the article's paragraphs, separated by blank lines;
chunk offsets later point into exactly this text.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

CLEANER_VERSION = "3"

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028\u2029\ufeff\ufffe]")
_SPACES = re.compile(r"[ \t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]+")
_TERMINAL = re.compile(r"([.!?…;]|[^.]\.\.\.)[\"'”’»)\]]*$|[”\"»]$")
_BULLET = re.compile(r"^[•·▪►▸‣◦■□●○\-*–]\s+")
_SKIP_LINK = re.compile(r"^(skip|jump) to (the )?(main )?(content|navigation|article|menu)\b", re.I)
_TEASER_WORDS = {
    "READ", "SEE", "SIGHT", "WATCH", "LOOK", "RELATED", "ALSO", "MORE", "LISTEN",
    "RECOMMENDED", "MISS", "TRENDING", "LATEST", "VIDEO", "PHOTOS", "GALLERY", "INTERESTED",
    "LIKE", "FURTHER", "CHECK", "LEA", "VEA", "MIRA", "TAMBIÉN",
}
_TEASER = re.compile(r"^([A-ZÀ-Ý][A-ZÀ-Ý'’ ]{1,30}):\s*\S")
_RUNNING_TIME = re.compile(r"\s\(?\d{1,2}:\d{2}(?::\d{2})?\)?$")
_CREDIT_PAREN = re.compile(
    r"\(([^()]{0,100}(/|\b(AP|AFP|Reuters|Getty|EFE|Photo|Foto|Image|Credit|Pool|File|"
    r"Shutterstock|Xinhua|Bloomberg|Courtesy)\b)[^()]{0,100})\)$"
)
_CREDIT_SUFFIX = re.compile(
    r"[.)]\s+(AFP|AP|Reuters|EFE|Getty Images|Xinhua|Bloomberg|Shutterstock|Archive|File)\W*$"
)
_CREDIT_PREFIX = re.compile(r"^(photo|image|foto|picture|credit|caption)s?\s*(\(|:)", re.I)
_SHARE = re.compile(
    r"^(share|follow us|follow|subscribe|sign up|sign in|log in|click here|print|e-?mail|"
    r"comments?|tweet|whatsapp|facebook|twitter|linkedin|copy link|save|listen to this article)\b",
    re.I,
)
_IMAGE_FILE = re.compile(r"\.(jpe?g|png|gif|webp|svg|avif)$", re.I)
_ADVERT = re.compile(r"^(advertisement|sponsored( content)?|ad|publicidad|anuncio)$", re.I)
_HARD_FOOTER = re.compile(r"^(©|\(c\)\s*\d|copyright\b)|all rights reserved", re.I)
_SOFT_FOOTER = re.compile(
    r"^(you (may|might) (also )?like|trends?( \d+ ?h)?|trending( now| stories)?|"
    r"most (popular|read|viewed|shared)|related (articles|stories|news|content|posts|topics)|"
    r"recommended( for you| stories)?|more (from|on|stories|news)\b.*|read more|"
    r"share this( article| story| page)?|tags?|topics?|latest (news|stories)|popular now|"
    r"leave a comment|about the author|newsletter|source\s*:\s*\S+( \S+){0,2})\s*:?$",
    re.I,
)
_DATELINE = re.compile(r"^[A-Z][\w .,'’-]{1,40}\([\w .&-]{1,20}\)\s*(--|—|–|-)?$")


@dataclass(frozen=True)
class Cleaned:
    text: str
    title: str


def words(line: str) -> int:
    return len(line.split())


def is_sentence(line: str) -> bool:
    return bool(_TERMINAL.search(line))


def is_body_paragraph(line: str) -> bool:
    return words(line) >= 15 and is_sentence(line)


def _fold(text: str) -> str:
    """Compare lines and titles without case, quote style or punctuation."""
    text = text.replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"')
    return re.sub(r"[^\w]+", " ", text.lower()).strip()


def normalize(text: str) -> list[str]:
    """NFC, no control characters, single spaces; one stripped line per paragraph."""
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    text = _CONTROL.sub("", text)
    lines = (_SPACES.sub(" ", line).strip() for line in text.split("\n"))
    return [line for line in lines if line]


def is_furniture(line: str) -> bool:
    """A line that belongs to the page around the article, not to the article."""
    n = words(line)
    if _SKIP_LINK.match(line) or _ADVERT.match(line):
        return True
    if _BULLET.match(line) and not is_sentence(line) and n <= 25:
        return True
    teaser = _TEASER.match(line)
    if teaser and set(re.split(r"[\s'’]+", teaser.group(1).upper())) & _TEASER_WORDS:
        return True
    if n <= 25 and _RUNNING_TIME.search(line):
        head = _RUNNING_TIME.sub("", line)
        if not is_sentence(head):
            return True
    if n <= 60 and (_CREDIT_PAREN.search(line) or _CREDIT_SUFFIX.search(line)):
        return True
    if n <= 30 and _CREDIT_PREFIX.match(line):
        return True
    if n <= 8 and _SHARE.match(line) and not is_sentence(line):
        return True
    return n <= 3 and bool(_IMAGE_FILE.search(line))


def _matches_title(line: str, title_key: str) -> bool:
    if not title_key:
        return False
    key = _fold(line)
    return key == title_key or (title_key in key and words(key) - words(title_key) <= 3)


def infer_title(lines: list[str]) -> str:
    """The first headline-like line near the top: 5-30 words, not a sentence (bar a question)."""
    for line in lines[:6]:
        headline = not is_sentence(line) or line.endswith("?")
        if 5 <= words(line) <= 30 and headline and not is_furniture(line):
            return line
    return ""


def _truncate_footer(lines: list[str]) -> list[str]:
    total = sum(len(line) for line in lines) or 1
    seen_body = False
    position = 0
    for i, line in enumerate(lines):
        if seen_body and words(line) <= 12:
            if _HARD_FOOTER.search(line):
                return lines[:i]
            if position / total >= 0.5 and _SOFT_FOOTER.match(line):
                return lines[:i]
        seen_body = seen_body or is_body_paragraph(line)
        position += len(line)
    return lines


def clean(raw: str, title: str = "") -> Cleaned:
    """Article paragraphs joined by blank lines, and the title (given or inferred)."""
    lines = normalize(raw)
    title = title.strip() or infer_title(lines)
    title_key = _fold(title)
    lines = _truncate_footer(lines)
    lines = [line for line in lines if not is_furniture(line) and not _matches_title(line, title_key)]

    # Banners and taglines: short lines before the first real paragraph.
    first_body = next((i for i, line in enumerate(lines) if is_body_paragraph(line)), len(lines))
    lines = [line for i, line in enumerate(lines) if i >= first_body or words(line) >= 8]

    # Pages often repeat the lead; keep the first copy of any paragraph.
    seen: set[str] = set()
    unique = []
    for line in lines:
        key = _fold(line)
        if key not in seen:
            seen.add(key)
            unique.append(line)
    lines = unique

    # Tag lists and widget titles after the last sentence (short lines only: a long
    # paragraph that merely lacks a final stop is article text).
    while lines and not is_sentence(lines[-1]) and words(lines[-1]) <= 15:
        lines.pop()

    # A bare dateline ("Hong Kong (CNN) --") belongs to the paragraph it introduces.
    merged: list[str] = []
    for line in lines:
        if merged and _DATELINE.match(merged[-1]):
            merged[-1] = f"{merged[-1]} {line}"
        else:
            merged.append(line)
    return Cleaned("\n\n".join(merged), title)
