"""Adding article files to the corpus folder from outside (the web page's upload)."""

from __future__ import annotations

import re
import shutil
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from index.loading import SIDECAR_SUFFIX, SUPPORTED_SUFFIXES, LoadError, decode

MAX_NAME = 100


@dataclass(frozen=True)
class UploadResult:
    name: str
    saved: bool
    message: str


def safe_name(name: str) -> str | None:
    """A plain file name: no folders, no hidden files, no odd characters; None if nothing is left."""
    name = unicodedata.normalize("NFKC", name).replace("\\", "/").split("/")[-1]
    stem, dot, suffix = name.rpartition(".")
    if not dot:
        return None
    stem = re.sub(r"[^A-Za-z0-9._ -]", "_", stem).strip(" ._-")
    stem = re.sub(r"\.{2,}", ".", stem)[: MAX_NAME - 8]
    suffix = suffix.lower()
    if not stem or f".{suffix}" not in SUPPORTED_SUFFIXES:
        return None
    return f"{stem}.{suffix}"


def described_article(corpus_dir: Path, name: str) -> str | None:
    """For a metadata sidecar ``NAME.meta.json``, the existing article file it would describe."""
    if not name.lower().endswith(SIDECAR_SUFFIX):
        return None
    stem = name[: -len(SIDECAR_SUFFIX)]
    for suffix in sorted(SUPPORTED_SUFFIXES):
        candidate = corpus_dir / f"{stem}{suffix}"
        if candidate.is_file():
            return candidate.name
    return None


def save_upload(source: Path, original_name: str, corpus_dir: Path, max_bytes: int,
                overwrite: bool = False) -> UploadResult:
    name = safe_name(original_name)
    shown = original_name[-80:]
    if name is None:
        kinds = " ".join(sorted(SUPPORTED_SUFFIXES))
        return UploadResult(shown, False, f"not added: unsupported type or name (accepted: {kinds})")
    try:
        size = source.stat().st_size
        if size > max_bytes:
            return UploadResult(name, False, f"not added: {size / 1e6:.1f} MB is over the {max_bytes / 1e6:.0f} MB limit")
        with open(source, "rb") as fh:
            decode(fh.read())
    except LoadError as exc:
        return UploadResult(name, False, f"not added: {exc}")
    except OSError as exc:
        return UploadResult(name, False, f"not added: unreadable ({exc.strerror or exc})")
    corpus_dir.mkdir(parents=True, exist_ok=True)
    target = corpus_dir / name
    if target.resolve().parent != corpus_dir.resolve():
        return UploadResult(name, False, "not added: invalid file name")
    existed = target.exists()
    if existed and not overwrite:
        return UploadResult(name, False, "not added: a file of that name is already in the corpus "
                                         "(tick 'replace existing files' to overwrite it)")
    described = described_article(corpus_dir, name)
    if described and not overwrite:
        return UploadResult(name, False, f"not added: it would change the title, outlet and link of "
                                         f"{described}, already in the corpus (tick 'replace existing "
                                         "files' to change them)")
    tmp = corpus_dir / f".{name}.uploading"
    shutil.copyfile(source, tmp)
    tmp.replace(target)
    return UploadResult(name, True, "replaced" if existed or described else "added")
