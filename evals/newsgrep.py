"""Explore the benchmark news corpus while writing gold questions (never imported by the product).

    python evals/newsgrep.py grep 'Aleppo' [--source cnn] [--month 2017-01] [--limit 20]
    python evals/newsgrep.py show 1234            # one article: id, outlet, date, title, text
    python evals/newsgrep.py count 'regex'        # how many articles match (case-insensitive)
    python evals/newsgrep.py list [--source dw] [--month 2017-02] [--limit 50]
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
from common import news_records  # noqa: E402


def outlet(r: dict) -> str:
    link = r.get("article_source_link") or ""
    host = link.split("/")[2] if "//" in link else link
    return host.removeprefix("www.")


def month(r: dict) -> str:
    parts = (r.get("publish_date") or "").strip().split()[0].split("/")
    return f"{parts[0]}-{int(parts[1]):02d}" if len(parts) >= 2 else "?"


def date(r: dict) -> str:
    parts = (r.get("publish_date") or "").strip().split()[0].split("/")
    return f"{parts[0]}-{int(parts[1]):02d}-{int(parts[2]):02d}" if len(parts) == 3 else "?"


def keep(r: dict, a) -> bool:
    return (not a.source or a.source.lower() in outlet(r)) and (not a.month or month(r) == a.month)


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("cmd", choices=["grep", "show", "count", "list"])
    p.add_argument("arg", nargs="?")
    p.add_argument("--source")
    p.add_argument("--month")
    p.add_argument("--limit", type=int, default=20)
    a = p.parse_args()
    recs = news_records()
    if a.cmd == "show":
        for r in recs:
            if r["article_id"] == a.arg:
                print(f"id={r['article_id']} outlet={outlet(r)} date={date(r)}\ntitle: {r['title']}\n"
                      f"subtitle: {r.get('subtitle') or ''}\n\n{r['text']}")
                return
        raise SystemExit("no such article id")
    rx = re.compile(a.arg or ".", re.I)
    hits = [r for r in recs if keep(r, a) and (rx.search(r["text"]) or rx.search(r["title"]))]
    if a.cmd == "count":
        print(len(hits))
        return
    for r in hits[: a.limit]:
        m = rx.search(r["text"])
        ctx = r["text"][max(0, m.start() - 80): m.end() + 80].replace("\n", " ") if (m and a.cmd == "grep") else ""
        print(f"{r['article_id']:>5} {outlet(r):<26} {date(r)} {r['title'][:70]}" + (f"\n      …{ctx}…" if ctx else ""))
    print(f"({len(hits)} articles match)")


if __name__ == "__main__":
    main()
