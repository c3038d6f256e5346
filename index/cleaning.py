"""Strip page furniture from captured news articles by rules that hold across sites.

The input is raw page text (one paragraph per line, as captured, or text taken
from HTML). The output keeps the article's paragraphs, separated by blank lines;
chunk offsets later point into exactly this text.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from dataclasses import dataclass

CLEANER_VERSION = "5"  # 5: any capitalised label before a short headline is a teaser

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028\u2029\ufeff\ufffe]")
_SPACES = re.compile(r"[ \t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]+")
_TERMINAL = re.compile(r"([.!?…;]|[^.]\.\.\.)[\"'”’»)\]]*$|[”\"»]$")
_BULLET = re.compile(r"^[•·▪►▸‣◦■□●○\-*–]\s+")
_SKIP_LINK = re.compile(r"^(skip|jump) to (the )?(main )?(content|navigation|article|menu)\b", re.I)
_TEASER_WORDS = {
    "READ", "SEE", "WATCH", "LOOK", "RELATED", "ALSO", "MORE", "LISTEN",
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
    # Any capitalised label before a short headline with no sentence end ("WATCH: …", "LOOK: …"):
    # a link to another page, not a paragraph of this one.
    if teaser and teaser.group(1).isupper() and n <= 30 and \
            not re.search(r"[.!?…]$", line.rstrip(" \"'”’»)]")):
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
    lines = [kept for line in lines if (kept := strip_inline(line))]

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

    # A bare dateline ("City (Outlet) --") belongs to the paragraph it introduces.
    merged: list[str] = []
    for line in lines:
        if merged and _DATELINE.match(merged[-1]):
            merged[-1] = f"{merged[-1]} {line}"
        else:
            merged.append(line)
    return Cleaned("\n\n".join(merged), title)


# Inline furniture. Many captured pages hold a whole article on one line, so teasers,
# embedded tweets, share bars and credits sit inside paragraphs. Each rule removes the
# furniture span only: it starts at a sentence boundary or at a marker, and it ends at a
# link, a signature or where the next real sentence begins.

_MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
_TWEET_LINK = r"(?:https?://)?(?:t\.co|pic\.twitter\.com)/\w+"
# An embed's signature: "— Name (@handle) March 8, 2017" (the dash often arrives mangled).
_TWEET_SIGNATURE = rf"(?:[^\s()]+\s){{1,6}}\(@\w{{1,15}}\)\s(?:{_MONTHS})\s\d{{1,2}},\s\d{{4}}"
_TWEET_SIGNATURE_RE = re.compile(_TWEET_SIGNATURE)
_TWEET_ANCHOR = re.compile(rf"(?:https?://)?(?:t\.co|pic\.twitter\.com)/\w|\(@\w{{1,15}}\)\s(?:{_MONTHS})\s\d")
_TWEET_TAIL = re.compile(rf"\w*(?:[\s\"”?—–-]*{_TWEET_LINK})*(?:[\s\"”?—–-]*{_TWEET_SIGNATURE})?")
_SIGNATURE_TAIL = re.compile(r"\(@\w+\)\s\w+\s\d{1,2},\s\d{4}")
_TWEET_MAX = 280  # characters in a tweet
# A sentence end, but not after an initial or a title ("Donald J. Trump", "Mr. Walsh").
_BOUNDARY = re.compile(
    r"(?<!\b[A-Z])(?<!\bMr)(?<!\bMs)(?<!\bMrs)(?<!\bDr)(?<!\bSt)(?<!\bCo)[.!?…][\"'”’)\]?]*(?:\s+|-+(?=[\s\"“A-Z])|\.?(?=[@#]\w))|[\"”]\s*[—–-]\s*"
)
_SIGNATURE_DASH = re.compile(r"(?:[—–]|\"\?|\s-)\s*(?:[^\s()]+\s){1,6}$")
_NEXT_STARTS = re.compile(r"\s*(?:$|[\"“‘'(\[#@]?[A-Z0-9À-Ý])")
_NETWORK = (r"(?:Facebook|Twitter|Google\+|WhatsApp|Tumblr|LinkedIn|Stumble(?:Upon)?|Digg|Reddit|Newsvine|"
            r"Pinterest|Instagram|Messenger|Telegram|VK|Xing|Flipboard|E-?mail|Print|Permalink)")
_SHARE_BAR = re.compile(
    rf"\b(?=[fgtwlsdrnpimvxe]){_NETWORK}(?:\s+{_NETWORK}){{2,}}(?:\s+https?://\S+)?", re.I
)
_SHARE_VERB = re.compile(r"\b(?:send|share)\s*$", re.I)
_PLAYER_NOTE = re.compile(
    r"\b(?:Media playback is (?:not supported|unsupported) on (?:this|your) device|"
    r"(?:Your|This) browser does not support (?:the )?(?:video|audio)(?: (?:tag|element|player))?)\.?", re.I
)
_TEASER_MARK = re.compile(
    r"(?<![\w'’])(?:READ MORE|Read [Mm]ore|READ ALSO|Read [Aa]lso|ALSO READ|Also [Rr]ead|SEE ALSO|See [Aa]lso)"
    r"\s*(?::|\s[—–-])[\s—–-]*"
)
_READ_MORE_FROM = re.compile(r"(?<![\w'’])Read more (?:from|on|about|by) ")
_PLATFORM = r"(?:Twitter|Facebook|Instagram|Snapchat|LinkedIn|YouTube)"
_FOLLOW = re.compile(
    r"(?:You can )?(?:[Ff]ollow|[Ff]ind|[Jj]oin|[Ll]ike) "
    r"(?:us|me|him|her|them|the conversation|(?:[A-Z][\w'’.-]*\s?){1,4})[^.!?]{0,120}?"
    rf"\b(?:on|via|at) {_PLATFORM}\b"
    # to the end of the prompt's sentence, unless a new sentence ("Word word word") starts first
    rf"(?:(?:https?://\S+|(?!\s(?!{_PLATFORM})[A-Z][a-z]+\s[a-z]+\s[a-z])[^.!?]){{0,160}}?(?:[.!?](?=\s|$)|$)"
    r"|(?:\s*:?[\s-]*@\w+)?)"
)
_FOLLOW_LEAD = re.compile(r"\bJoin the conversation\b\s*[—–:-]*\s*(?:@\w+)?")
# First and second person prompts ("You can follow BBC Trending on Twitter @x", "follow me on
# Twitter: @x") need no sentence start.
_FOLLOW_ANYWHERE = re.compile(
    rf"\b(?:You can follow|[Ff]ollow (?:us|me)|[Ff]ind us)\b[^.!?]{{0,80}}?\b(?:on|via|at) {_PLATFORM}\b"
    r"(?:[^.!?]{0,80}?(?:[.!?](?=\s|$)|$))?"
)
# Wire trailers that point elsewhere: "Follow Jill Colvin at http://twitter.com/x", "Information
# from: Morning Sun, http://...", "Online: NASA: https://...", "Contact Porter at https://...".
_LINK_PROMPT = re.compile(
    r"(?:On Twitter,?\s)?(?:[Ff]ollow|Contact|Information from|Online|"
    r"More information|For more information|Visit|Read more)\b[^!?]{0,100}?(?:https?://|www\.)\S+"
    r"(?:\s+and\s+[^.!?]{0,40}?(?:https?://|www\.)\S+)*"
)
# A newsletter promotion is one sentence ("Get the latest headlines sent straight to your phone,
# sign-up to our newsletter and learn where to find us online.").
_NEWSLETTER = re.compile(
    r"(?:^|(?<=[.!?\"”)]\s))[^.!?]{0,160}\b(?:sign[ -]?up|subscribe|register) (?:to|for) our "
    r"(?:\w+ )?newsletters?\b[^.!?]{0,160}(?:[.!?](?=\s|$)|$)", re.I
)
_READ_MORE_HERE = re.compile(
    r"Read more\b[^.!?:]{0,80}?(?:\bhere\b|https?://\S+)[^.!?:]{0,40}?(?:[.!?:](?=\s|$)|$)"
)
_AGENCY = r"(?:Getty Images|AFP|Reuters|AP|EPA|Xinhua|Bloomberg|Alamy|Shutterstock|Pool|Handout)"
_CREDIT_PARENS = re.compile(
    r"\((?:(?:AP |AFP |Reuters )?Photo|Credit|Image|Picture|Foto)s?(?:\s*(?::|/|by\b)[^()]{1,120})?\)"
)
_CREDIT_NAME = r"(?![A-Z][\w&'’-]*\s+[a-z])[A-Z][\w&'’.-]*"  # a name, not the opening of a sentence
_CREDIT_LABEL = re.compile(
    r"\b(?:Photo|Image|Picture)s?\s(?:credits?\s*(?::|[—–-])|courtesy(?: of)?\s)\s*"
    rf"{_CREDIT_NAME}(?:(?:\s*[,;/&]\s*|\s+and\s+|\s+){_CREDIT_NAME})*\.?"
)
_CREDIT_SLASH = re.compile(rf" ?/ ?{_AGENCY}(?: ?/ ?[A-Z][\w ]{{1,20}}?)?(?=\s|$)")
_CREDIT_NAMES = re.compile(r"(?:^|[.!?\"”]\s)((?:[A-Z][\w'’.-]*\s){1,4})$")
_CREDIT_BARE = re.compile(r"(?<=[.!?\"”]\s)(?:AFP/)?(?:Getty Images|Alamy|Shutterstock)(?=\s[A-Z\"“]|$)")
_CTA_END = re.compile(r"\s*(?:Learn more|Read more|More|Click here|Sign up here)\s*[.:]?$")
_SHARE_MARK = re.compile(r"(?<![\w'’])Share this(?: (?:slide|article|story|page|post|video))?(?: with)?\s*:?\s*")
_PAREN_URL = re.compile(r"\s?\(\s*(?:https?://|www\.)\S+\s*\)")
_FOOTER_WORDS = 80  # a prompt this close to the end is followed by page footer, not article text

_TITLE_SMALL = {"a", "an", "the", "and", "or", "but", "nor", "of", "in", "on", "at", "to", "for", "by",
                "with", "from", "as", "vs", "vs.", "into", "over", "up", "off", "is", "are"}
# English function words and sentence openers: capitalised inside a sentence-case headline,
# they start the next sentence.
_STARTERS = {
    "The", "A", "An", "In", "On", "At", "But", "And", "He", "She", "They", "It", "Its", "His", "Her",
    "Their", "This", "That", "These", "Those", "There", "We", "Our", "According", "After", "Before",
    "While", "When", "As", "Since", "Some", "Many", "Most", "Meanwhile", "However", "For", "From", "With",
    "By", "Under", "Despite", "Although", "Though", "Throughout", "If", "Several", "Among", "Also", "Last", "Earlier",
    "Later", "Now", "Yet", "So", "Still", "Then", "During", "Until", "One", "Two", "Three", "Four", "Five",
    "Six", "Seven", "Eight", "Nine", "Ten", "Both", "Each", "Every", "Such", "Other", "Another", "No",
    "Only", "Even", "Today", "Yesterday", "Instead", "Speaking", "Asked", "Amid", "Here", "What", "Why",
    "Mr", "Mr.", "Ms", "Ms.", "Mrs", "Mrs.", "Dr", "Dr.", "To", "Of", "Over", "Around", "About", "More",
    "Nearly", "Almost", "Separately", "Elsewhere", "Addressing", "Following", "Further",
}
_PREPOSITIONS = {"about", "across", "after", "against", "amid", "among", "before", "behind", "below", "beneath",
                 "beside", "between", "beyond", "despite", "during", "inside", "near", "outside", "over",
                 "since", "through", "toward", "towards", "under", "until", "upon", "within", "without",
                 "says", "say", "said", "than", "like", "versus", "via"}
_TOKEN = re.compile(r"\S+")
_WORD = re.compile(r"[^\W\d_][\w'’-]*")
_OPENER = re.compile(r"[.!?\"”]\s+([^\s\"“‘']+)")
_READ_MORE_TAIL = re.compile(r"\s*here\b:?\s*(?:https?://\S+)?|\s*:?\s*https?://\S+")
_TEASERS_MAX = 50  # per paragraph; beyond that only the markers go (bounded work on hostile input)
_HEADLINE_CHARS = 400
_CONTEXT_CHARS = 4000
_PAST_TENSE = {"said", "told", "added", "insisted"}
_HEADLINE_MAX = 20
_HEADLINE_WORDS = 11  # a boundary found later has run into the next sentence  # words; a teaser headline is shorter


def _cap(token: str) -> bool:
    core = token.lstrip("\"“‘'([")
    return bool(core) and core[0].isupper()


def _bare(token: str) -> str:
    return token.strip("\"“”‘’'()[],:;.-—–?!").removesuffix("'s").removesuffix("’s")


def _headline_end(text: str, pos: int) -> tuple[int, bool]:
    """Length of the teaser headline at text[pos:], and whether its end is certain."""
    rest = text[pos : pos + _HEADLINE_CHARS]
    article = text[max(0, pos - _CONTEXT_CHARS) : pos + _CONTEXT_CHARS]  # bounded work per teaser
    end, certain, obvious = _headline_bound(rest, article)
    if len(rest) == _HEADLINE_CHARS and end == len(rest):
        return obvious, False  # the window ended, not the paragraph
    head = rest[:end].split()
    # Headlines are short and written in the present tense: a boundary found past a past-tense
    # verb lies in the next sentence.
    if certain and end < len(rest.rstrip()) and (
            len(head) > _HEADLINE_WORDS or any(_bare(t).lower() in _PAST_TENSE for t in head)):
        return obvious, False
    return (end, True) if certain else (obvious, False)


def _headline_bound(rest: str, article: str) -> tuple[int, bool, int]:
    """Where a teaser headline at the start of `rest` ends, and whether that is certain.

    A headline has no terminal stop (bar "?" or "!"); the next sentence starts with an
    opening double quote, a capitalised function word after a sentence-case headline, or
    (title-case headlines) the capital before the first lowercase content word. A name
    opening the next sentence is accepted when the article elsewhere starts a sentence with
    it and never writes it after the headline's last word. When unsure, only the part before
    the first capital that could open a sentence is certain.
    """
    tokens = [(m.start(), m.end(), m.group()) for m in itertools.islice(_TOKEN.finditer(rest), _HEADLINE_MAX + 1)]
    elsewhere = article.replace(rest[: tokens[min(len(tokens), _HEADLINE_MAX) - 1][1]], " ") if tokens else ""
    known = set(_WORD.findall(elsewhere))  # words as the article writes them elsewhere
    openers = {_bare(w) for w in _OPENER.findall(elsewhere)}  # words that open its sentences
    sentence_case = False
    first_cap: int | None = None
    for k, (start, end, tok) in enumerate(tokens[:_HEADLINE_MAX]):
        prev = tokens[k - 1][2] if k else ""
        if k >= 2 and (tok[0] in "\"“" and not prev.endswith(",") or tok.rstrip(".") in {"Mr", "Ms", "Mrs", "Dr"}):
            return start, True, first_cap or 0
        if k >= 2 and _cap(tok) and sentence_case and not re.fullmatch(r"[—–:-]+|.*:", prev):
            name, left = _bare(tok), _bare(prev)
            single = k + 1 < len(tokens) and not _cap(tokens[k + 1][2])  # "Sesay said", not "Alexei Navalny"
            if name in _STARTERS:
                return start, True, first_cap or 0  # a capitalised function word opens a sentence
            if single and not _cap(prev) and name and name.lower() in known:
                return start, True, first_cap or 0  # a common word, capitalised only to open a sentence
            opens = name in openers
            run_ended = _cap(prev) and f"{_bare(tokens[k - 2][2])} {left}" in elsewhere
            after_word = not _cap(prev) and left.lower() not in _TITLE_SMALL | _PREPOSITIONS
            if single and opens and f"{left} {name}" not in elsewhere and (run_ended or after_word):
                return start, True, first_cap or 0  # a name that opens sentences, never written after this word
        if k >= 1 and _cap(tok) and first_cap is None:
            first_cap = start
        if k >= 1 and not _cap(tok) and tok[0].isalpha() and tok.lower() not in _TITLE_SMALL:
            title_case = all(_cap(t[2]) or t[2].lower() in _TITLE_SMALL for t in tokens[:k])
            if not sentence_case and title_case and k >= 3:
                # A title-case headline ran into the next sentence: it opens at the last capital.
                # Title case is proven by a capitalised small or common word, not by a run of names.
                last = max(i for i in range(k) if _cap(tokens[i][2]))
                proven = any(_cap(t[2]) and (_bare(t[2]).lower() in _TITLE_SMALL | known)
                             for t in tokens[1:last] if _bare(t[2]))
                if last >= 2 and proven:
                    return tokens[last][0], True, first_cap or 0
            sentence_case = True
        if re.search(r"[?!][\"”’']?[—–-]*$", tok):
            return end, True, first_cap or 0
        if re.search(r"[.][\"”’')]?[—–-]*$", tok) and not re.fullmatch(r"(?:[A-Z]\.)+|Mr?s?\.|Dr\.|St\.", tok):
            break  # the next sentence ended before its start was found
    else:
        if len(tokens) <= _HEADLINE_MAX and rest[tokens[-1][1] if tokens else 0 :].strip() == "":
            return len(rest), True, first_cap or 0  # the headline ends the paragraph
    return 0, False, first_cap or 0


def _strip_read_more_from(text: str) -> str:
    """"Read more from Nick", "Read more on RB Leipzig here: URL": the marker and the name after it."""
    out, last = [], 0
    for m in _READ_MORE_FROM.finditer(text):
        if m.start() < last:
            continue
        end = m.end()
        for k, tok in enumerate(_TOKEN.finditer(text, end)):
            word = _bare(tok.group())
            if k >= 4 or not _cap(tok.group()) or word in _STARTERS or word in {"Follow", "Share"}:
                break
            end = tok.end()
            if tok.group()[-1] in ",:;":
                break
        tail = _READ_MORE_TAIL.match(text, end)
        end = tail.end() if tail else end
        if text[m.start() : end].rstrip().endswith(":"):
            end += _headline_end(text, end)[0]  # "here: <headline of the linked story>"
        out.append(text[last : m.start()])
        last = end
    out.append(text[last:])
    return "".join(out)


def _strip_teasers(text: str) -> str:
    out: list[str] = []
    last = 0
    for m in _TEASER_MARK.finditer(text):
        if m.start() < last:
            continue
        cut = _headline_end(text, m.end())[0] if len(out) < _TEASERS_MAX else 0
        out.append(text[last:m.start()])
        last = m.end() + cut
    out.append(text[last:])
    return "".join(out)


def _tweets(text: str) -> list[tuple[int, int, bool]]:
    """Embedded tweets as (start of link or signature, end, signed)."""
    spans: list[tuple[int, int, bool]] = []
    for m in _TWEET_ANCHOR.finditer(text):
        if spans and m.start() < spans[-1][1]:
            continue
        if m.group().startswith("(@"):
            tail = _SIGNATURE_TAIL.match(text, m.start())
            if tail:
                spans.append((m.start(), tail.end(), True))
            continue
        tail = _TWEET_TAIL.match(text, m.end())
        end = tail.end() if tail else m.end()
        spans.append((m.start(), end, "(@" in text[m.start():end]))
    return spans


def _strip_tweets(text: str) -> str:
    if "t.co/" not in text and "twitter.com/" not in text and "(@" not in text:
        return text
    out, last = [], 0
    for start, end, signed in _tweets(text):
        if signed and text.startswith("(@", start):
            dash = _SIGNATURE_DASH.search(text, max(last, start - 80), start)
            start = dash.start() if dash else start  # the author's name belongs to the signature
        if signed or _NEXT_STARTS.match(text, end):
            # The tweet's text runs from the previous sentence end (or the previous cut).
            window = max(last, start - _TWEET_MAX - 40)
            head = text[window:start].rstrip(" \"'”’?!.…—–-")
            bounds = [b.end() for b in _BOUNDARY.finditer(head)]
            if bounds:
                begin = window + bounds[-1]
            else:  # the paragraph's start, unless an earlier cut or too much text lies between
                begin = 0 if window == 0 and last == 0 else start
            if start - begin <= _TWEET_MAX:
                start = begin
        out.append(text[last:start])
        last = end
    out.append(text[last:])
    return "".join(out)


def _strip_share_bars(text: str) -> str:
    """Runs of three or more network names ("Send Facebook Twitter Google+ ... Permalink URL")."""
    low = text.lower()
    if sum(name in low for name in ("facebook", "twitter", "google+", "whatsapp", "linkedin", "tumblr", "reddit",
                                    "pinterest", "digg", "newsvine", "permalink", "email", "print")) < 3:
        return text
    out, last = [], 0
    for m in _SHARE_BAR.finditer(text):
        verb = _SHARE_VERB.search(text, last, m.start())
        out.append(text[last : verb.start() if verb else m.start()] + " ")
        last = m.end()
    out.append(text[last:])
    return "".join(out)


def _strip_share_prompts(text: str) -> str:
    marks = list(_SHARE_MARK.finditer(text))
    m = marks[-1] if marks else None
    if m and words(text[m.end():]) <= _FOOTER_WORDS and m.start() > len(text) / 2:
        text = text[: m.start()]
    return _SHARE_MARK.sub("", text)


def _strip_credits(text: str, low: str) -> str:
    """Photo credits: "(AP Photo/...)", "Photo credits - ...", "Jane Doe / Getty Images", a bare "Getty Images"."""
    if "(" in text:
        text = _CREDIT_PARENS.sub(" ", text)
    if _has(low, "credit", "courtesy"):
        text = _CREDIT_LABEL.sub(" ", text)
    if "/" in text and _has(low, "getty", "afp", "reuters", "/ap", "/ ap", "epa", "xinhua", "bloomberg", "alamy",
                            "shutterstock", "pool", "handout"):
        out, last = [], 0
        for m in _CREDIT_SLASH.finditer(text):
            names = _CREDIT_NAMES.search(text, max(last, m.start() - 80), m.start() + 1 if text[m.start()] == " " else m.start())
            if names and m.start() >= last:
                out.append(text[last : names.start(1)])
                last = m.end()
        out.append(text[last:])
        text = "".join(out)
    if _has(low, "getty", "alamy", "shutterstock"):
        text = _CREDIT_BARE.sub(" ", text)
    return text


def _opens_sentence(text: str, i: int, enders: str) -> bool:
    """Whether text[i:] starts a sentence: the paragraph start or, past spaces, one of `enders`."""
    j = i
    while j > 0 and text[j - 1].isspace():
        j -= 1
    return j == 0 or text[j - 1] in enders


def _sub_at_sentence_start(pattern: re.Pattern[str], text: str, enders: str = ".!?\"”)") -> str:
    """Remove the matches of `pattern` that open a sentence (the patterns start with a literal
    word, which keeps the scan fast; the sentence test runs only on candidates)."""
    return pattern.sub(lambda m: " " if _opens_sentence(text, m.start(), enders) else m.group(), text)


def _has(low: str, *needles: str) -> bool:
    return any(n in low for n in needles)


def strip_inline(line: str) -> str:
    """Remove tweets, teasers, share and follow prompts, credits and player notes inside a paragraph.

    Each rule first checks for its vocabulary with a plain substring test: most paragraphs
    hold no furniture, and long one-line articles make every regex pass count.
    """
    low = line.lower()
    text = _strip_share_bars(line)
    text = _strip_tweets(text)
    if _has(low, "playback", "browser"):
        text = _PLAYER_NOTE.sub(" ", text)
    if "join the conversation" in low:
        text = _FOLLOW_LEAD.sub(" ", text)
    if _has(low, "read more", "read also", "also read", "see also"):
        text = _strip_read_more_from(text)
        text = _sub_at_sentence_start(_READ_MORE_HERE, text)
        text = _strip_teasers(text)
    if _has(low, "http", "www."):
        text = _sub_at_sentence_start(_LINK_PROMPT, text, ".!?\"”)?")
        text = _PAREN_URL.sub("", text)
    if _has(low, "twitter", "facebook", "instagram", "snapchat", "linkedin", "youtube") and _has(
            low, "follow", "find us", "find me", "join", "like us", "like me"):
        text = _sub_at_sentence_start(_FOLLOW, text, ".!?\"”):;—–-")
        text = _FOLLOW_ANYWHERE.sub(" ", text)
    text = _strip_credits(text, low)
    if "newsletter" in low:
        text = _NEWSLETTER.sub(" ", text)
    if "share this" in low:
        text = _strip_share_prompts(text)
    if len(text) > 120:  # a call to action ends an article, it is not one
        head, tail = text[:-40], text[-40:]
        text = head + _CTA_END.sub("", tail)
    return text if text == line else _SPACES.sub(" ", text).strip()
