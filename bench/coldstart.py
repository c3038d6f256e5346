"""Cold start of a scripted answer: `python -m assistant ask` beside a bare `import sentence_transformers`.

Both are fresh processes, measured alternately in one run (so a busy machine slows both
alike); the median wall time of each is reported, with the heavy modules each answer imported.

    python bench/coldstart.py --quick    # 3 rounds on the quick index
    python bench/coldstart.py            # 7 rounds; writes docs/BENCHMARKS.md
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time

from common import ROOT, machine, table, write_section
from query import base_index

HEAVY = ("torch", "sentence_transformers", "transformers")
# Runs the CLI as `python -m assistant` does, then says which heavy modules it had imported.
PROBE = ("import atexit, runpy, sys\n"
         "atexit.register(lambda: print('HEAVY:' + ','.join(m for m in %r if m in sys.modules), file=sys.stderr))\n"
         "sys.argv = ['assistant', 'ask', %r]\n"
         "runpy.run_module('assistant', run_name='__main__', alter_sys=True)\n")


def ask_command(question: str) -> list[str]:
    return [sys.executable, "-c", PROBE % (HEAVY, question)]


def timed(cmd: list[str], env: dict[str, str]) -> tuple[float, str]:
    t = time.perf_counter()
    out = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
    secs = time.perf_counter() - t
    if out.returncode != 0:
        raise SystemExit(f"{cmd[:3]} failed:\n{out.stderr[-2000:]}")
    heavy = [line.split(":", 1)[1] for line in out.stderr.splitlines() if line.startswith("HEAVY:")]
    return secs, (heavy[-1] if heavy else "")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--rounds", type=int)
    args = ap.parse_args()
    rounds = args.rounds or (3 if args.quick else 7)
    index_dir = base_index(quick=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOSSIER_")}
    env |= {"DOSSIER_INDEX_DIR": str(index_dir), "PYTHONPATH": str(ROOT)}
    question = "What did the government announce about the economy?"
    bare = [sys.executable, "-c", "import sentence_transformers"]
    ask, imp, heavy = [], [], ""
    timed(ask_command(question), env)  # one unmeasured run: the OS file cache, as for any repeated use
    for _ in range(rounds):
        s, heavy = timed(ask_command(question), env)
        ask.append(s)
        imp.append(timed(bare, env)[0])
    a, b = statistics.median(ask), statistics.median(imp)
    out = table(["command", "median s", "min s", "heavy modules imported"], [
        ["python -m assistant ask (cold, default embedder)", a, min(ask), heavy or "none"],
        ["python -c 'import sentence_transformers'", b, min(imp), "(all of them)"],
    ])
    out += f"\n\nask / bare import (median): **{a / b:.2f}** (target ≤ 0.5); {rounds} alternating rounds."
    print(out)
    if not args.quick:
        write_section("coldstart", f"## Cold start of a CLI answer\n\nMachine: {machine()}.\n\n{out}\n")


if __name__ == "__main__":
    main()
