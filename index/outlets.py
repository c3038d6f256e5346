"""One name per outlet across the corpus: ``cnn.com`` from a URL and "CNN" from metadata
are the same outlet.

The rule is general (no list of outlets): an article's domain is its URL's host
without ``www.``; an outlet's display name is the explicit source name most used by
the articles of that domain, else the domain itself. An article without a URL whose
source names a known outlet joins that outlet's domain.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import replace
from urllib.parse import urlparse

from index.models import RawArticle

_HOST = re.compile(r"(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}")


def domain_of(url: str | None) -> str:
    """The URL's host, lower case, without a leading ``www.``; "" when there is none."""
    if not url:
        return ""
    try:
        host = urlparse(url).hostname or ""
    except ValueError:
        return ""
    return host.rstrip(".").removeprefix("www.")


def host_like(name: str) -> str:
    """``"BBC.co.uk"`` -> ``"bbc.co.uk"``: a source that is itself a host name; else ""."""
    name = name.strip().lower().removeprefix("www.")
    return name if _HOST.fullmatch(name) else ""


def _explicit(source: str, domain: str) -> str:
    """A source name that says more than the domain (a derived or host-like one does not)."""
    if not source or source.casefold() == domain or host_like(source):
        return ""
    return source


def normalize(articles: list[RawArticle]) -> list[RawArticle]:
    """The same articles with ``meta.domain`` set and ``meta.source`` as the outlet's display name."""
    domains = [a.meta.domain or domain_of(a.meta.url) or host_like(a.meta.source) for a in articles]
    names: dict[str, Counter] = defaultdict(Counter)
    for art, dom in zip(articles, domains, strict=True):
        name = _explicit(art.meta.source, dom)
        if dom and name:
            names[dom][name] += 1
    display = {dom: min(counts.items(), key=lambda kv: (-kv[1], kv[0].casefold(), kv[0]))[0]
               for dom, counts in names.items()}
    # Without a URL, an article whose source names exactly one domain's outlet belongs to it.
    owners: dict[str, set[str]] = defaultdict(set)
    for dom, counts in names.items():
        for name in counts:
            owners[name.casefold()].add(dom)
    by_name = {name: next(iter(doms)) for name, doms in owners.items() if len(doms) == 1}
    out = []
    for art, dom in zip(articles, domains, strict=True):
        if not dom and art.meta.source:
            dom = by_name.get(art.meta.source.casefold(), "")
        source = (display.get(dom) or dom) if dom else art.meta.source
        out.append(replace(art, meta=replace(art.meta, source=source, domain=dom)))
    return out
