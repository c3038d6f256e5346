"""Prompt templates as plain Markdown files; a package only so that a wheel ships them.

Read them with ``importlib.resources.files("prompts")`` (see ``assistant/prompts.py``).
"""
