"""Is the question in a language the embedding model reads? (The bundled MiniLM reads English.)

A question in another language would be matched by its names alone and then refused
for a word of it ("the articles do not mention 'Qué'"). Instead it gets a message that
says what happened and what to do.

Cheap first: a question most of whose ordinary (lowercase) words are English function
words or words of the index's own vocabulary is English, and the language identifier
(py3langid, loaded lazily) is asked only about the others.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

# ISO 639-1 codes py3langid returns, for a readable message.
_NAMES = {"es": "Spanish", "fr": "French", "de": "German", "it": "Italian", "pt": "Portuguese", "nl": "Dutch",
          "ru": "Russian", "zh": "Chinese", "ja": "Japanese", "ko": "Korean", "ar": "Arabic", "tr": "Turkish",
          "pl": "Polish", "uk": "Ukrainian", "sv": "Swedish", "da": "Danish", "no": "Norwegian", "fi": "Finnish",
          "el": "Greek", "he": "Hebrew", "hi": "Hindi", "fa": "Persian", "id": "Indonesian", "ro": "Romanian",
          "cs": "Czech", "hu": "Hungarian", "vi": "Vietnamese", "th": "Thai", "ca": "Catalan"}


@lru_cache(maxsize=1)
def _english_function_words() -> frozenset[str]:
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    return frozenset(ENGLISH_STOP_WORDS)


@lru_cache(maxsize=1)
def _identifier():
    from py3langid.langid import MODEL_FILE, LanguageIdentifier  # noqa: N811

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def foreign_language(question: str, known_word: Callable[[str], bool]) -> str | None:
    """The question's language name when it is not English, else None.

    ``known_word`` says whether a lowercase word occurs in the index (so English words of the
    corpus, and the corpus's own non-English names, count as readable).
    """
    letters = [ch for ch in question if ch.isalpha()]
    if not letters:
        return None
    latin = sum(ch.isascii() or "\u00c0" <= ch <= "\u024f" for ch in letters) / len(letters)
    words = [w for w in re.findall(r"[^\W\d_]+", question) if w[0].islower() or w.lower() in _english_function_words()]
    if latin >= 0.9:
        if len(words) < 2:
            return None
        stop = _english_function_words()
        readable = sum(w.lower() in stop or (w.isascii() and known_word(w.lower())) for w in words) / len(words)
        if readable >= 0.75:
            return None
    else:
        readable = 0.0
    code, prob = _identifier().classify(question)
    # Mostly unreadable words: any other language will do; partly readable: the identifier must be sure.
    if code == "en" or (readable >= 0.5 and prob < 0.5):
        return None
    return _NAMES.get(code, f"language code '{code}'")


def message(language: str) -> str:
    return (f"This question seems to be written in {language}. Dossier's search model reads English only, so "
            "it cannot match this question to the articles reliably. Please ask it in English.")
