"""Importing the library leaves the process environment alone; entry points set it explicitly."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
PROBE = """
import json, os
before = dict(os.environ)
import index, index.reader, index.build, assistant, assistant.pipeline
after = dict(os.environ)
from index.environment import configure
configure()
print(json.dumps({"changed": sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k)),
                  "offline": os.environ.get("HF_HUB_OFFLINE")}))
"""


def test_importing_index_and_assistant_does_not_touch_os_environ():
    env = {k: v for k, v in os.environ.items()
           if k not in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "OPENBLAS_NUM_THREADS")}
    env["PYTHONPATH"] = str(ROOT)
    out = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    got = json.loads(out.stdout)
    assert got["changed"] == [] and got["offline"] == "1"
