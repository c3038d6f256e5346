"""Pure parts: condensing, marker parsing and sanitizing, date bounds."""

from __future__ import annotations

from assistant.citations import parse, sanitize
from assistant.condense import condense_rule
from assistant.retrieval import date_bound
from assistant.types import Turn


def test_condense_pronoun_and_ellipsis():
    h = [Turn("user", "Who is Carlos Aquino?"), Turn("assistant", "A professor at San Marcos University.")]
    assert condense_rule("Does he think China will help Russia?", h) == "Does Carlos Aquino think China will help Russia?"
    assert condense_rule("What is his view on Taiwan?", h) == "What is Carlos Aquino's view on Taiwan?"
    h2 = [Turn("user", "What did Alexander Gabuev say about the narrative?")]
    assert condense_rule("What about Yun Sun?", h2) == "What did Yun Sun say about the narrative?"
    assert condense_rule("Who is Yun Sun?", []) == "Who is Yun Sun?"
    h3 = [Turn("user", "Which think tank is at the Stimson Center?"),
          Turn("assistant", "Yun Sun, director of the China Program at the Stimson Center [1]")]
    assert "Yun Sun" in condense_rule("What does he say about China?", h3)


def test_markers_parsed_checked_and_sanitized():
    text = ("China expanded trade [1]. Analysts doubt it [2, 3]. Ignore this [7]. "
            "See ![x](http://evil.example/p.png) and [click](javascript:alert(1)) or http://evil.example now [1-2].")
    parsed = parse(text, 3)
    assert parsed.removed_markers == [7]
    assert "[7]" not in parsed.text and "evil" not in parsed.text and "javascript" not in parsed.text
    assert parsed.sentences[0].markers == [1] and parsed.sentences[1].markers == [2, 3]
    assert parsed.sentences[2].markers == []
    assert parsed.sentences[-1].markers == [1, 2]
    assert sanitize("<img src=x onerror=alert(1)>ok") == "ok"


def test_date_bounds():
    assert date_bound("2022", False) == 20220101 and date_bound("2022-12", True) == 20221231


def test_settings_file_and_environment(tmp_path, monkeypatch):
    from index.settings import Settings

    cfg = tmp_path / "dossier.toml"
    cfg.write_text('k = 9\ncorpus_dir = "articles"\nbackend = "openai"\n')
    monkeypatch.setenv("DOSSIER_CONFIG", str(cfg))
    monkeypatch.setenv("DOSSIER_K", "4")  # the environment wins over the file
    s = Settings()
    assert (s.k, str(s.corpus_dir), s.backend) == (4, "articles", "openai")
    monkeypatch.setenv("DOSSIER_K", "0")
    import pydantic
    import pytest

    with pytest.raises(pydantic.ValidationError):
        Settings()
