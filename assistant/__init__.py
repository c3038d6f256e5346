"""Dossier answering: condense -> retrieve (hybrid) -> answer -> verify citations."""
