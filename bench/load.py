"""A bounded load test on loopback: concurrent chat clients (gradio_client) against the running
app while an incremental rebuild runs. Fixed client count and duration; stops by itself.

    python bench/load.py                      # 20 clients, 60 s, its own app on a free port
    python bench/load.py --clients 5 --seconds 10
    python bench/load.py --url http://127.0.0.1:7860 --no-rebuild

Prints requests, errors and latency p50/p95 (nothing is asserted here; tests/test_load.py
asserts zero errors on a short run).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from common import ROOT, percentile

QUESTIONS = [
    "What did analysts say about China aiding Russia?",
    "How much was trade between China and Russia worth last year?",
    "Who is Carlos Aquino?",
    "What was agreed at the Ukraine peace talks in Istanbul?",
    "How many troops did China send to Russia for a joint drill?",
    "What is the overwhelming priority for China according to Yun Sun?",
]


@dataclass
class LoadResult:
    requests: int = 0
    errors: list[str] = field(default_factory=list)
    latencies_ms: list[float] = field(default_factory=list)
    rebuild: dict | None = None

    def summary(self) -> dict:
        return {"requests": self.requests, "errors": len(self.errors), "first_errors": self.errors[:3],
                "p50_ms": round(percentile(self.latencies_ms, 50), 1),
                "p95_ms": round(percentile(self.latencies_ms, 95), 1), "rebuild": self.rebuild}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_app(corpus: Path, index_dir: Path, env_extra: dict | None = None) -> tuple[subprocess.Popen, str, Path]:
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOSSIER_")}
    env.update(DOSSIER_CORPUS_DIR=str(corpus), DOSSIER_INDEX_DIR=str(index_dir), DOSSIER_PORT=str(port),
               **(env_extra or {}))
    log = index_dir.parent / f"app-{port}.log"
    with open(log, "w") as fh:
        proc = subprocess.Popen([sys.executable, "app.py"], cwd=ROOT, env=env, stdout=fh, stderr=subprocess.STDOUT)
    deadline = time.time() + 120
    while time.time() < deadline:
        if "Running on local URL" in log.read_text():
            return proc, f"http://127.0.0.1:{port}", log
        if proc.poll() is not None:
            raise RuntimeError(log.read_text()[-2000:])
        time.sleep(0.5)
    proc.kill()
    raise RuntimeError("app did not start")


def run_load(url: str, clients: int, seconds: float, rebuild_cmd: list[str] | None = None,
             env: dict | None = None) -> LoadResult:
    from gradio_client import Client

    result = LoadResult()
    lock = threading.Lock()
    stop_at = time.time() + seconds

    def worker(n: int) -> None:
        try:
            client = Client(url, verbose=False)
        except Exception as exc:  # counted, never raised: the run always finishes
            with lock:
                result.errors.append(f"connect: {type(exc).__name__}: {exc}")
            return
        i = n
        while time.time() < stop_at:
            q = QUESTIONS[i % len(QUESTIONS)]
            i += 1
            t = time.perf_counter()
            try:
                out = client.predict(q, "[]", "", "", "", 0, api_name="/ask")
                ok = isinstance(out, dict) and "answer" in out
                err = None if ok else f"bad reply: {str(out)[:200]}"
            except Exception as exc:
                err = f"{type(exc).__name__}: {exc}"
            with lock:
                result.requests += 1
                result.latencies_ms.append((time.perf_counter() - t) * 1000)
                if err:
                    result.errors.append(err)

    threads = [threading.Thread(target=worker, args=(n,), daemon=True) for n in range(clients)]
    for th in threads:
        th.start()
    if rebuild_cmd:
        t = time.perf_counter()
        out = subprocess.run(rebuild_cmd, cwd=ROOT, env=env, capture_output=True, text=True,
                             timeout=max(60, seconds * 10))
        result.rebuild = {"returncode": out.returncode, "seconds": round(time.perf_counter() - t, 1),
                          "report": out.stdout.strip()[-400:], "stderr": out.stderr.strip()[-400:]}
    for th in threads:
        th.join(timeout=seconds + 120)
    return result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--url", help="an app that is already running (else one is started on a temp copy)")
    ap.add_argument("--no-rebuild", action="store_true")
    args = ap.parse_args()
    if args.url:
        print(json.dumps(run_load(args.url, args.clients, args.seconds).summary(), indent=1))
        return
    sys.path.insert(0, str(ROOT))
    from index.build import build
    from index.settings import Settings
    from tests.synthetic import write_corpus

    work = Path(tempfile.mkdtemp(prefix="dossier-load-"))
    corpus, index_dir = work / "corpus", work / "index"
    shutil.copytree(ROOT / "corpus", corpus)
    build(Settings(corpus_dir=corpus, index_dir=index_dir), quiet=True)
    write_corpus(corpus, 60)  # the rebuild adds these while clients ask
    proc, url, _ = start_app(corpus, index_dir)
    try:
        cmd = None if args.no_rebuild else [sys.executable, "-m", "index", "build", "--quiet", "--json",
                                            "--corpus", str(corpus), "--index", str(index_dir)]
        res = run_load(url, args.clients, args.seconds, cmd)
        print(json.dumps(res.summary(), indent=1))
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
