"""Dossier ingestion: load -> clean -> chunk -> embed -> store.

Importing the package pins the process to offline, quiet operation before any
model or numeric library is loaded.
"""

import os

# Never reach for a model hub or phone home: models come from installed packages.
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"
os.environ["HF_HUB_DISABLE_TELEMETRY"] = "1"
os.environ["ANONYMIZED_TELEMETRY"] = "False"
os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
# On small machines numpy's BLAS threads spin and steal the CPU from torch.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
