"""Prompt templates live in ``prompts/`` as plain files; this loads them with LangChain.

They are package data (read with ``importlib.resources``), so a wheel install reads the
same files as the source tree; a missing one is an error, never a silent default.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

from langchain_core.prompts import ChatPromptTemplate, PromptTemplate

from index.errors import ResourceMissing

PACKAGE = "prompts"


def read(name: str) -> str:
    """The text of ``prompts/<name>.md`` as installed."""
    try:
        return (resources.files(PACKAGE) / f"{name}.md").read_text(encoding="utf-8")
    except (ModuleNotFoundError, OSError) as exc:
        raise ResourceMissing(f"prompt file {PACKAGE}/{name}.md is missing from this install "
                              f"({type(exc).__name__}); reinstall dossier") from exc


@lru_cache(maxsize=16)
def template(name: str) -> PromptTemplate:
    return PromptTemplate.from_template(read(name))


@lru_cache(maxsize=1)
def answer_prompt() -> ChatPromptTemplate:
    return ChatPromptTemplate.from_messages(
        [("system", template("answer").template), ("human", template("answer_user").template)]
    )


@lru_cache(maxsize=1)
def condense_prompt() -> ChatPromptTemplate:
    return ChatPromptTemplate.from_messages([("human", template("condense").template)])
