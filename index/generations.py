"""Index generations on disk and the atomic switch between them.

``index_dir/CURRENT`` names the live generation folder. A build writes a new
generation beside it and, only once it is complete and verified, replaces
``CURRENT`` with one ``os.replace``. Readers therefore see either the old index
or the new one, never a half-built one; a killed build leaves only a stale
folder, which the next build removes.
"""

from __future__ import annotations

import fcntl
import json
import os
import secrets
import shutil
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

MANIFEST = "manifest.json"
CURRENT = "CURRENT"
LOCK = ".build.lock"
BUILDING = "BUILDING"
FORMAT_VERSION = 1


class IndexMissing(Exception):
    """No complete index exists yet."""


class IndexCorrupt(Exception):
    """The index on disk is damaged; ``python -m index rebuild`` recovers."""


class BuildLocked(Exception):
    """Another build holds the lock."""


@dataclass
class ArticleEntry:
    hash: str
    path: str
    title: str
    source: str
    published: str | None
    chunks: list[str]


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
    skipped: list[dict] = field(default_factory=list)
    files: dict[str, int] = field(default_factory=dict)
    version: int = FORMAT_VERSION
    embedder: str = ""  # "backend:fingerprint" (index.embedding.embedder_id); "" before it existed

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict) -> Manifest:
        data = dict(data)
        data["articles"] = {k: ArticleEntry(**v) for k, v in data.get("articles", {}).items()}
        return cls(**data)


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
    try:
        name = (index_dir / CURRENT).read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    return name or None


def current_dir(index_dir: Path) -> Path:
    name = current_name(index_dir)
    if not name:
        raise IndexMissing(f"no index yet in {index_dir}: run `python -m index build`")
    folder = index_dir / name
    if not (folder / MANIFEST).is_file():
        raise IndexCorrupt(
            f"the index in {index_dir} points to {name}, which is missing or incomplete: "
            "run `python -m index rebuild`"
        )
    return folder


def read_manifest(folder: Path) -> Manifest:
    try:
        data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        if data.get("version") != FORMAT_VERSION:
            raise IndexCorrupt(f"index format {data.get('version')} is not {FORMAT_VERSION}")
        return Manifest.from_json(data)
    except (OSError, ValueError, TypeError, KeyError) as exc:
        raise IndexCorrupt(
            f"the index manifest in {folder} is unreadable ({type(exc).__name__}): "
            "run `python -m index rebuild`"
        ) from exc


def verify_files(folder: Path, manifest: Manifest) -> None:
    """Sizes recorded at build time must match: catches truncated or half-written files."""
    for rel, size in manifest.files.items():
        path = folder / rel
        if not path.is_file() or path.stat().st_size != size:
            raise IndexCorrupt(
                f"index file {rel} in {folder.name} is missing or damaged: run `python -m index rebuild`"
            )


def record_files(folder: Path, names: list[str]) -> dict[str, int]:
    out = {}
    for name in names:
        path = folder / name
        for f in [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file()):
            out[f.relative_to(folder).as_posix()] = f.stat().st_size
    return out


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
        if child.is_dir() and child.name not in keep:
            shutil.rmtree(child, ignore_errors=True)
            removed.append(child.name)
    return removed


class BuildLock:
    """An exclusive ``flock``: released by the kernel even when the builder is killed."""

    def __init__(self, index_dir: Path):
        index_dir.mkdir(parents=True, exist_ok=True)
        self.path = index_dir / LOCK
        self.fh = None

    def __enter__(self) -> BuildLock:
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
    if not path.exists():
        return False
    with open(path, "a+", encoding="utf-8") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(fh, fcntl.LOCK_UN)
    return False
