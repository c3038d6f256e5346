"""The process environment Dossier's entry points run in: offline, quiet, few BLAS threads.

Called first by each entry point (``python -m index``, ``python -m assistant``, ``app.py``, the
benchmarks, the test suite) before numpy, torch or Gradio load. Importing the library changes
nothing: a program that imports ``index`` or ``assistant`` keeps its own environment.
"""

from __future__ import annotations

import os

# Never reach for a model hub or phone home: models come from installed packages.
OFFLINE = {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "ANONYMIZED_TELEMETRY": "False",
    "GRADIO_ANALYTICS_ENABLED": "False",
}
# On small machines numpy's BLAS threads spin and steal the CPU from the embedder; a caller's
# own choice wins.
DEFAULTS = {"OPENBLAS_NUM_THREADS": "1", "TOKENIZERS_PARALLELISM": "false"}


def configure() -> None:
    """Set the offline and quiet environment of this process (and of the processes it starts)."""
    os.environ.update(OFFLINE)
    for key, value in DEFAULTS.items():
        os.environ.setdefault(key, value)
