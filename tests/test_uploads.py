"""Uploads: type, size and name checks; no path tricks, no silent overwrite."""

from __future__ import annotations

from index.uploads import safe_name, save_upload


def test_safe_names():
    assert safe_name("../../etc/passwd.txt") == "passwd.txt"
    assert safe_name("..\\..\\win.md") == "win.md"
    assert safe_name(".hidden.txt") == "hidden.txt"
    assert safe_name("report 2024 (final).HTML") == "report 2024 _final.html"
    assert safe_name("tool.exe") is None and safe_name("noext") is None and safe_name("....txt") is None


def test_save_upload_checks(tmp_path):
    corpus = tmp_path / "corpus"
    src = tmp_path / "a.txt"
    src.write_text("The council met on Monday and approved the plan for the new school.")
    assert save_upload(src, "../a.txt", corpus, 1_000_000).saved
    assert (corpus / "a.txt").read_text().startswith("The council")
    again = save_upload(src, "a.txt", corpus, 1_000_000)
    assert not again.saved and "already in the corpus" in again.message
    src.write_text("Changed text of the article about the school plan and the council.")
    assert save_upload(src, "a.txt", corpus, 1_000_000, overwrite=True).message == "replaced"
    big = tmp_path / "big.txt"
    big.write_bytes(b"word " * 300_000)
    assert "limit" in save_upload(big, "big.txt", corpus, 1_000_000).message
    binary = tmp_path / "b.txt"
    binary.write_bytes(b"\x00\x01\x02PK" * 100)
    assert "binary" in save_upload(binary, "b.txt", corpus, 1_000_000).message
    assert "unsupported" in save_upload(src, "x.exe", corpus, 1_000_000).message
    assert sorted(p.name for p in corpus.iterdir()) == ["a.txt"]
