"""Index generations on disk and the atomic switch between them.

``index_dir/CURRENT`` names the live generation folder. A build writes a new
generation beside it and, only once it is complete and verified, replaces
``CURRENT`` with one ``os.replace``. Readers therefore see either the old index
or the new one, never a half-built one; a killed build leaves only a stale
folder, which the next build removes.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import os
import re
import secrets
import shutil
import sqlite3
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import IO

from index.errors import DossierError
from index.models import Skipped

log = logging.getLogger(__name__)

MANIFEST = "manifest.json"
CURRENT = "CURRENT"
LOCK = ".build.lock"
BUILDING = "BUILDING"
FORMAT_VERSION = 1
REBUILD = "run `python -m index rebuild`"
_GENERATION_NAME = re.compile(r"gen-[A-Za-z0-9-]{1,80}")
# Chroma rewrites its own files when it opens them (a lock row in its SQLite file; the
# HNSW files of small collections are rebuilt from its log), so they cannot be checksummed:
# the SQLite file gets SQLite's own check, the others must exist, and the vectors are
# checked by querying them (``store.probe``).
STORE_DIR = "chroma"


class IndexMissing(DossierError, kind="index"):
    """No complete index exists yet."""


class IndexCorrupt(DossierError, kind="index"):
    """The index on disk is damaged; ``python -m index rebuild`` recovers."""


class BuildLocked(DossierError, kind="index"):
    """Another build holds the lock."""


@dataclass
class ArticleEntry:
    hash: str
    path: str
    title: str
    source: str
    published: str | None
    chunks: list[str]
    domain: str = ""


@dataclass
class Manifest:
    """What a generation holds and how it was made; its presence marks completion."""

    generation: str
    built_at: str
    model: str
    dimension: int
    chunk_tokens: int
    chunk_overlap_tokens: int
    fingerprint: str
    collection: str
    chroma_url: str | None
    articles: dict[str, ArticleEntry] = field(default_factory=dict)
    chunk_count: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    # relative path -> {"size": bytes, "sha256": hex or None, "check": "sha256"|"sqlite"|"exists"};
    # manifests written before checksums hold a bare size.
    files: dict[str, dict | int] = field(default_factory=dict)
    version: int = FORMAT_VERSION
    embedder: str = ""  # "backend:fingerprint" (index.embedding.embedder_id); "" before it existed

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict) -> Manifest:
        if not isinstance(data, dict) or not isinstance(data.get("articles", {}), dict):
            raise TypeError("manifest is not an object of the expected shape")
        data = dict(data)
        data["articles"] = {k: ArticleEntry(**v) for k, v in data.get("articles", {}).items()}
        data["skipped"] = [Skipped(**s) for s in data.get("skipped", [])]
        m = cls(**data)
        if not isinstance(m.files, dict) or not isinstance(m.chunk_count, int):
            raise TypeError("manifest fields have the wrong types")
        return m


def write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    _fsync_dir(path.parent)


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def current_name(index_dir: Path) -> str | None:
    """The live generation's folder name; None when there is no ``CURRENT`` yet.

    ``CURRENT`` holding anything but a generation name (garbage, binary, empty, a folder)
    is damage, reported as ``IndexCorrupt``.
    """
    path = index_dir / CURRENT
    try:
        with open(path, "rb") as fh:
            raw = fh.read(200)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise IndexCorrupt(f"the file {path} cannot be read ({type(exc).__name__}): {REBUILD}") from exc
    name = raw.decode("ascii", "replace").strip()
    if not _GENERATION_NAME.fullmatch(name):
        raise IndexCorrupt(f"the file {path} is damaged (it names no index generation): {REBUILD}")
    return name


def current_dir(index_dir: Path) -> Path:
    name = current_name(index_dir)
    if not name:
        raise IndexMissing(f"no index yet in {index_dir}: run `python -m index build`")
    folder = index_dir / name
    if not (folder / MANIFEST).is_file():
        raise IndexCorrupt(
            f"the index in {index_dir} points to {name}, which is missing or incomplete: {REBUILD}"
        )
    return folder


def read_manifest(folder: Path) -> Manifest:
    try:
        data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        if not isinstance(data, dict) or data.get("version") != FORMAT_VERSION:
            raise TypeError("not a manifest of this index format")
        return Manifest.from_json(data)
    except (OSError, ValueError, TypeError, KeyError, AttributeError, RecursionError) as exc:
        raise IndexCorrupt(
            f"the index manifest in {folder} is unreadable ({type(exc).__name__}): {REBUILD}"
        ) from exc


def file_sha256(path: Path) -> str:
    with open(path, "rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def _check_kind(folder: Path, path: Path) -> str:
    if path.relative_to(folder).parts[0] != STORE_DIR:
        return "sha256"
    return "sqlite" if path.suffix == ".sqlite3" else "exists"


def record_files(folder: Path, names: list[str]) -> dict[str, dict | int]:
    """Size and checksum of every file under ``names`` (files or folders) in ``folder``."""
    out: dict[str, dict | int] = {}
    for name in names:
        path = folder / name
        if not path.exists():
            continue
        for f in [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file()):
            kind = _check_kind(folder, f)
            out[f.relative_to(folder).as_posix()] = {
                "size": f.stat().st_size,
                "sha256": file_sha256(f) if kind == "sha256" else None,
                "check": kind,
            }
    return out


def _sqlite_ok(path: Path) -> bool:
    """SQLite's own quick check, read-only: catches truncation and damaged pages."""
    try:
        with open(path, "rb") as fh:
            if fh.read(16) != b"SQLite format 3\x00":
                return False
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)
        try:
            rows = con.execute("PRAGMA quick_check").fetchall()
        finally:
            con.close()
    except (OSError, sqlite3.Error) as exc:
        log.info("SQLite check of %s failed: %s", path, exc)
        return False
    if rows != [("ok",)]:
        log.info("SQLite check of %s: %s", path, rows[:5])
        return False
    return True


def _file_ok(root: Path, rel: str, rec: dict | int, checksums: bool) -> bool:
    path = root / rel
    if not path.resolve().is_relative_to(root) or not path.is_file():
        return False
    size = rec.get("size") if isinstance(rec, dict) else rec
    kind = rec.get("check", "sha256") if isinstance(rec, dict) else "size"
    if kind in ("sha256", "size") and path.stat().st_size != size:
        return False
    if not checksums:
        return True
    if kind == "sqlite":
        return _sqlite_ok(path)
    if kind == "sha256" and isinstance(rec, dict) and rec.get("sha256"):
        return file_sha256(path) == rec["sha256"]
    return True


# Folders whose checksums were verified, with the (size, mtime) of their files then: the
# page asks for status often, and unchanged files need no second hashing.
_verified: dict[Path, tuple] = {}


def _stat_signature(root: Path, names) -> tuple | None:
    try:
        return tuple((rel, (st := (root / rel).stat()).st_size, st.st_mtime_ns) for rel in sorted(names))
    except (OSError, TypeError):
        return None


def verify_files(folder: Path, manifest: Manifest, checksums: bool = True) -> None:
    """Every file the manifest lists must still be as built: sizes always, then checksums
    (and SQLite's own check) unless ``checksums`` is False or no file changed since they
    last passed. Raises ``IndexCorrupt``."""
    root = folder.resolve()
    signature = _stat_signature(root, manifest.files)
    deep = checksums and (signature is None or _verified.get(root) != signature)
    for rel, rec in manifest.files.items():
        try:
            ok = _file_ok(root, rel, rec, deep)
        except (OSError, TypeError, AttributeError, ValueError):
            ok = False
        if not ok:
            _verified.pop(root, None)
            log.info("index file %s of %s differs from its manifest entry %s", rel, folder, rec)
            raise IndexCorrupt(f"index file {rel} in {folder.name} is missing or damaged: {REBUILD}")
    if deep and signature is not None:
        if len(_verified) > 16:  # old generations of a long-running process
            _verified.clear()
        _verified[root] = signature


def new_generation(index_dir: Path) -> Path:
    name = time.strftime("gen-%Y%m%dT%H%M%S-") + secrets.token_hex(3)
    folder = index_dir / name
    folder.mkdir(parents=True)
    (folder / BUILDING).write_text(str(os.getpid()), encoding="utf-8")
    return folder


def publish(index_dir: Path, folder: Path) -> None:
    """Make ``folder`` the live generation in one atomic step."""
    (folder / BUILDING).unlink(missing_ok=True)
    _fsync_dir(folder)
    write_atomic(index_dir / CURRENT, folder.name + "\n")


def prune(index_dir: Path, keep: set[str]) -> list[str]:
    """Remove generations not in ``keep`` (stale, failed or superseded). Caller holds the lock."""
    removed = []
    for child in index_dir.glob("gen-*"):
        if child.name in keep:
            continue
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child, ignore_errors=True)
        else:  # a stray file or link where a generation folder belongs
            child.unlink(missing_ok=True)
        removed.append(child.name)
    return removed


def clear_current(index_dir: Path) -> None:
    """Remove whatever damage put at ``CURRENT`` in place of a file (a folder, a link), which
    the atomic replace in ``publish`` could not overwrite; a regular file is left to it."""
    path = index_dir / CURRENT
    if path.is_symlink():
        path.unlink()
    elif path.is_dir():
        shutil.rmtree(path, ignore_errors=True)


class BuildLock:
    """An exclusive ``flock``: released by the kernel even when the builder is killed."""

    def __init__(self, index_dir: Path):
        index_dir.mkdir(parents=True, exist_ok=True)
        self.path = index_dir / LOCK
        self.fh: IO[str] | None = None

    def __enter__(self) -> BuildLock:
        if self.path.is_dir() and not self.path.is_symlink():  # damage: a folder where the lock belongs
            shutil.rmtree(self.path, ignore_errors=True)
        self.fh = open(self.path, "a+", encoding="utf-8")
        try:
            fcntl.flock(self.fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self.fh.seek(0)
            holder = self.fh.read().strip() or "unknown"
            self.fh.close()
            raise BuildLocked(
                f"another build is already running (pid {holder}); try again when it ends"
            ) from None
        self.fh.seek(0)
        self.fh.truncate()
        self.fh.write(str(os.getpid()))
        self.fh.flush()
        return self

    def __exit__(self, *exc) -> None:
        if self.fh:
            self.fh.seek(0)
            self.fh.truncate()
            fcntl.flock(self.fh, fcntl.LOCK_UN)
            self.fh.close()


def is_build_running(index_dir: Path) -> bool:
    path = index_dir / LOCK
    if not path.is_file():
        return False
    try:
        with open(path, "a+", encoding="utf-8") as fh:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return True
            fcntl.flock(fh, fcntl.LOCK_UN)
    except OSError:
        return False
    return False
