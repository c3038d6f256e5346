"""python -m assistant: ask questions about the indexed articles, chat, or evaluate."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from index.environment import configure
from index.errors import BadInput, run_command

EPILOG = """\
examples:
  python -m assistant ask "What did analysts say about China aiding Russia?"
  python -m assistant ask "How much was trade worth?" --source CNN --json
  python -m assistant ask "Does he think China will help Russia?" --history chat.json
  python -m assistant chat                  # interactive, remembers the conversation
  python -m assistant eval                  # gold-set metrics for the default answerer (seed set)
  python -m assistant eval --gold evals/gold/news.json --split heldout   # the news gold set's held-out half
  python -m assistant calibrate             # refit when to say "the articles don't answer this"
                                            # (on the news gold set's calibration half)

--history names a JSON list of {"role": "user"|"assistant", "content": "..."}.
Build the index first with `python -m index build`. Settings: DOSSIER_* variables or
dossier.toml (see README); DOSSIER_BACKEND=openai uses an OpenAI-compatible server.
"""


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m assistant", description=__doc__, epilog=EPILOG,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="command", required=True, metavar="{ask,chat,eval,calibrate}")
    retrieval = argparse.ArgumentParser(add_help=False)
    retrieval.add_argument("--k", type=int, help="passages to retrieve (default 6 or DOSSIER_K)")
    retrieval.add_argument("--source", action="append", default=[], metavar="NAME",
                           help="only this outlet (repeatable), e.g. CNN")
    retrieval.add_argument("--since", metavar="DATE", help="only articles published on/after (YYYY[-MM[-DD]])")
    retrieval.add_argument("--until", metavar="DATE", help="only articles published on/before")
    retrieval.add_argument("--backend", choices=["extractive", "openai"], help="override DOSSIER_BACKEND")
    ask = sub.add_parser("ask", parents=[retrieval], help="answer one question with cited passages")
    ask.add_argument("question")
    ask.add_argument("--json", action="store_true", help="print one JSON object")
    ask.add_argument("--history", type=Path, help="JSON file with the conversation so far")
    sub.add_parser("chat", parents=[retrieval], help="interactive chat in the terminal")
    ev = sub.add_parser("eval", help="gold-set evaluation: a per-category table (cited, contains, refusals)")
    ev.add_argument("--backend", action="append", choices=["extractive", "openai"],
                    help="backend(s) to evaluate (default: extractive)")
    ev.add_argument("--gold", type=Path, help="gold set file (default: the seed set, tests/gold/seed.json)")
    ev.add_argument("--split", choices=["heldout", "calibration", "all"], default="all",
                    help="which half of the gold set to report (default all)")
    ev.add_argument("--json", action="store_true", help="print the table as JSON")
    ev.add_argument("--verbose", action="store_true", help="one line per question on stderr")
    cal = sub.add_parser("calibrate", help="fit when to say 'the articles don't answer this' (calibration half)")
    cal.add_argument("--gold", type=Path, help="gold set file (default evals/gold/news.json)")
    cal.add_argument("--out", type=Path, help="where to write the calibration (default: the shipped file)")
    return p


def _filters(args):
    from assistant.types import Filters

    return Filters(sources=tuple(args.source), since=args.since, until=args.until)


def _history(path: Path | None):
    from assistant.types import Turn

    if not path:
        return []
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        turns = [Turn(role=str(t["role"]), content=str(t["content"])) for t in data]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise BadInput(f"--history {path}: expected a JSON list of {{role, content}} ({exc})") from exc
    if any(t.role not in ("user", "assistant") for t in turns):
        raise BadInput(f"--history {path}: role must be 'user' or 'assistant'")
    return turns


def print_answer(ans, out=sys.stdout) -> None:
    print(ans.answer, file=out)
    if ans.unsupported:
        print("\nNot supported by the cited passages: " + " | ".join(ans.unsupported), file=out)
    if ans.citations:
        print("\nSources:", file=out)
        for p in ans.citations:
            meta = ", ".join(x for x in (p.source, p.published) if x)
            print(f"  [{p.marker}] {p.title} ({meta})" + (f" {p.url}" if p.url else ""), file=out)
            print(f"      “{_short(p.text)}”", file=out)
    elif ans.refused and ans.passages:
        print("\nClosest material (does not answer the question):", file=out)
        for p in ans.passages[:3]:
            meta = ", ".join(x for x in (p.source, p.published) if x)
            print(f"  - {p.title} ({meta}): “{_short(p.text)}”", file=out)


def _short(text: str, n: int = 220) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1].rsplit(" ", 1)[0] + "…"


def _ask(args) -> int:
    from assistant.pipeline import Assistant

    bot = Assistant()
    ans = bot.ask(args.question, _history(args.history), _filters(args), k=args.k, backend=args.backend)
    if args.json:
        print(json.dumps(ans.to_json(), ensure_ascii=False))
    else:
        print_answer(ans)
    return 0


def _chat(args) -> int:
    from assistant.pipeline import Assistant
    from assistant.types import Turn

    bot = Assistant()
    history: list[Turn] = []
    print("Dossier chat. Ask about the indexed articles; 'new' starts over, Ctrl-D quits.")
    while True:
        try:
            question = input("\nyou> ").strip()
        except (EOFError, KeyboardInterrupt):
            print()
            return 0
        if not question:
            continue
        if question.lower() in ("new", "/new"):
            history = []
            print("(new conversation)")
            continue
        ans = bot.ask(question, history, _filters(args), k=args.k, backend=args.backend)
        print()
        if ans.standalone_question != question:
            print(f"(understood as: {ans.standalone_question})")
        print_answer(ans)
        history += [Turn("user", question), Turn("assistant", ans.answer)]


def _eval(args) -> int:
    from assistant import evaluation
    from assistant.pipeline import Assistant

    bot = Assistant()
    items = evaluation.load_gold(args.gold or evaluation.GOLD_FILE, args.split)
    results = {}
    for backend in args.backend or ["extractive"]:
        rows = evaluation.run(bot, items, backend=backend)
        cats = evaluation.by_category(rows)
        results[backend] = cats
        if args.verbose:
            for r in rows:
                print(f"{backend:10s} {r.id:14s} {r.category:18s} refused={r.refused!s:5} cited={r.cited} "
                      f"contains={r.contains} p={r.features}", file=sys.stderr)
        if not args.json:
            print(f"## {backend} — {args.gold or evaluation.GOLD_FILE} ({args.split})\n")
            print(evaluation.table(cats) + "\n")
    if args.json:
        print(json.dumps(results, indent=1))
    return 0


def _calibrate(args) -> int:
    from assistant import evaluation
    from assistant.answerability import CALIBRATION_FILE, FEATURES, Calibration
    from assistant.pipeline import Assistant

    bot = Assistant(calibration=Calibration.answer_all())
    gold = args.gold or evaluation.NEWS_GOLD
    items = evaluation.load_gold(gold, "calibration")
    rows = evaluation.run(bot, items, backend="extractive")
    cal = evaluation.calibrate(rows)
    out = args.out or CALIBRATION_FILE
    cal.save(out, fitted_on=f"{gold.name} (calibration half, {len(rows)} questions)")
    weights = ", ".join(f"{f}={w:+.2f}" for f, w in zip(FEATURES, cal.weights, strict=True))
    print(f"threshold={cal.threshold:.3f} weights: {weights} -> {out}")
    return 0


def main(argv: list[str] | None = None) -> int:
    configure()  # before the pipeline loads numpy and the embedder
    args = _parser().parse_args(argv)
    handlers = {"ask": _ask, "chat": _chat, "eval": _eval, "calibrate": _calibrate}
    return run_command(lambda: handlers[args.command](args))


if __name__ == "__main__":
    sys.exit(main())
