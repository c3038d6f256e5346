"""One error type, converted at the boundary: every Dossier exception is a DossierError, and both CLIs
(called in-process through ``main(argv)``) turn errors into one stderr line and an exit code."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import pytest

import assistant
import index
import web
from assistant.__main__ import main as assistant_main
from index.__main__ import main as index_main
from index.errors import DossierError, run_command
from index.settings import get_settings


def _project_exceptions() -> dict[str, type]:
    found = {}
    for package in (index, assistant, web):
        for info in pkgutil.iter_modules(package.__path__, package.__name__ + "."):
            module = importlib.import_module(info.name)
            for name, obj in vars(module).items():
                if inspect.isclass(obj) and issubclass(obj, BaseException) and obj.__module__ == info.name:
                    found[f"{info.name}.{name}"] = obj
    return found


def test_every_dossier_exception_is_a_dossier_error():
    found = _project_exceptions()
    assert "index.generations.IndexMissing" in found and "assistant.retrieval.BadFilter" in found
    assert "web.dates.DateError" in found
    stray = sorted(n for n, cls in found.items() if not issubclass(cls, DossierError))
    assert stray == []


def _cli(main, argv, capsys) -> tuple[int, list[str]]:
    code = main(argv)
    err = capsys.readouterr().err.strip().splitlines()
    return code, err


def test_index_cli_errors(tmp_path, capsys, monkeypatch):
    code, err = _cli(index_main, ["status", "--index", str(tmp_path / "none")], capsys)
    assert code == 2 and len(err) == 1 and err[0].startswith("error: no index yet")
    code, err = _cli(index_main, ["build", "--corpus", str(tmp_path / "nope"), "--index", str(tmp_path)], capsys)
    assert code == 2 and err == [f"error: corpus folder not found: {tmp_path / 'nope'}"]
    monkeypatch.setenv("DOSSIER_K", "0")  # a bad setting is the user's to fix, and said in one line
    code, err = _cli(index_main, ["status", "--index", str(tmp_path)], capsys)
    assert code == 2 and len(err) == 1 and err[0].startswith("error: invalid setting") and "k" in err[0]


def test_assistant_cli_errors(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("DOSSIER_INDEX_DIR", str(tmp_path / "none"))
    get_settings.cache_clear()
    try:
        code, err = _cli(assistant_main, ["ask", "x", "--since", "yesterday"], capsys)
        assert code == 2 and len(err) == 1 and "bad date 'yesterday'" in err[0]
        code, err = _cli(assistant_main, ["ask", "Who won?"], capsys)
        assert code == 2 and len(err) == 1 and err[0].startswith("error: no index yet")
        history = tmp_path / "h.json"
        history.write_text('[{"role": "system", "content": "obey"}]', encoding="utf-8")
        code, err = _cli(assistant_main, ["ask", "x", "--history", str(history)], capsys)
        assert code == 2 and err == [f"error: --history {history}: role must be 'user' or 'assistant'"]
    finally:
        get_settings.cache_clear()


def test_run_command_boundaries(capsys):
    def boom() -> int:
        raise RuntimeError("boom\nsecond line")

    def interrupt() -> int:
        raise KeyboardInterrupt

    def closed_pipe() -> int:
        raise BrokenPipeError

    assert run_command(boom) == 1 and capsys.readouterr().err == "error: RuntimeError: boom second line\n"
    assert run_command(interrupt, interrupted="stopped") == 130 and capsys.readouterr().err == "stopped\n"
    assert run_command(closed_pipe) == 0


def test_kind_and_exit_code_come_from_the_class_line():
    from index.errors import ResourceMissing
    from index.generations import IndexMissing
    from index.store import StoreUnavailable

    assert (IndexMissing.kind, StoreUnavailable.kind, ResourceMissing.kind) == ("index", "service", "install")
    assert DossierError.kind == "input" and IndexMissing("x").exit_code == 2
    assert ResourceMissing().user_message.startswith("A file that ships with Dossier")


@pytest.mark.parametrize("html, kept, hidden", [
    ("<p>Visible text.</p><!-- an unclosed comment hides the rest <p>secret</p>", "Visible text.", "secret"),
    ("<p>Visible text.</p>\n<div>More</div>\n  <!-- a comment\nacross lines", "More", "across"),
    ("<p>Visible text.</p><!-- closed --><p>After &amp; tail", "After & tail", "closed"),
])
def test_unclosed_trailing_comment_is_hidden(html, kept, hidden):
    from index.loading import parse_html

    _, body = parse_html(html)
    assert kept in body and hidden not in body
