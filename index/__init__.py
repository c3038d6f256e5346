"""Dossier ingestion: load -> clean -> chunk -> embed -> store.

Importing the package has no side effect; entry points call ``index.environment.configure()``.
"""
