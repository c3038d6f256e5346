"""The opt-in generative answerer: any OpenAI-compatible chat endpoint through LangChain.

vLLM, a llama.cpp server, Ollama or OpenAI itself: only the base URL, the model
name and the key change. Output is streamed; markers are checked afterwards.
"""

from __future__ import annotations

from collections.abc import Iterator

from langchain_openai import ChatOpenAI

from assistant.prompts import answer_prompt, condense_prompt, template
from assistant.types import Passage, Turn
from index.errors import DossierError
from index.settings import Settings


class GenerationUnavailable(DossierError, kind="service"):
    """The model server is unreachable or failed; the message says which and where."""


def make_chat_model(settings: Settings) -> ChatOpenAI:
    if not settings.openai_base_url:
        raise GenerationUnavailable("backend 'openai' needs DOSSIER_OPENAI_BASE_URL (e.g. http://127.0.0.1:8080/v1)")
    key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else "not-needed"
    return ChatOpenAI(base_url=settings.openai_base_url, model=settings.openai_model, api_key=key,
                      temperature=0, timeout=settings.openai_timeout_s, max_retries=1, streaming=True,
                      max_tokens=settings.openai_max_tokens)


def format_passages(passages: list[Passage]) -> str:
    """Passages as numbered, fenced, quoted data: text inside can't pose as instructions."""
    tpl = template("passage")
    return "\n".join(
        tpl.format(n=i, source=p.source or "unknown outlet", published=p.published or "undated",
                   title=p.title.replace('"', "'"), text=p.text.replace("<<<", "‹‹‹").replace(">>>", "›››"))
        for i, p in enumerate(passages, 1)
    )


class GenerativeAnswerer:
    def __init__(self, settings: Settings):
        self.settings = settings
        self.llm = make_chat_model(settings)

    def stream(self, question: str, passages: list[Passage]) -> Iterator[str]:
        messages = answer_prompt().format_messages(
            passages=format_passages(passages), question=question,
            max_words=self.settings.answer_words)
        try:
            for chunk in self.llm.stream(messages):
                if chunk.content:
                    yield str(chunk.content)
        except Exception as exc:  # openai/httpx errors: say where, not a traceback
            raise GenerationUnavailable(
                f"the model server at {self.settings.openai_base_url} failed: {type(exc).__name__}: {exc}"
            ) from exc

    def condense(self, question: str, history: list[Turn]) -> str:
        lines = "\n".join(f"{t.role}: {t.content[:800]}" for t in history[-6:])
        messages = condense_prompt().format_messages(history=lines, question=question)
        try:
            out = self.llm.invoke(messages)
        except Exception as exc:
            raise GenerationUnavailable(
                f"the model server at {self.settings.openai_base_url} failed: {type(exc).__name__}: {exc}"
            ) from exc
        text = str(out.content).strip().splitlines()[0].strip() if str(out.content).strip() else ""
        return text or question
