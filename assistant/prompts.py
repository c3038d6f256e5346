"""Prompt templates live in ``prompts/`` as plain files; this loads them with LangChain."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from langchain_core.prompts import ChatPromptTemplate, PromptTemplate

PROMPTS_DIR = Path(__file__).resolve().parent.parent / "prompts"


@lru_cache(maxsize=16)
def template(name: str) -> PromptTemplate:
    return PromptTemplate.from_file(PROMPTS_DIR / f"{name}.md", encoding="utf-8")


@lru_cache(maxsize=1)
def answer_prompt() -> ChatPromptTemplate:
    return ChatPromptTemplate.from_messages(
        [("system", template("answer").template), ("human", template("answer_user").template)]
    )


@lru_cache(maxsize=1)
def condense_prompt() -> ChatPromptTemplate:
    return ChatPromptTemplate.from_messages([("human", template("condense").template)])
