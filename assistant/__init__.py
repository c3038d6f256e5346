"""Dossier answering: condense -> retrieve (hybrid) -> answer -> verify citations."""

import index  # noqa: F401  (offline, quiet environment before any model import)
