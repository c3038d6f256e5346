"""Incremental, atomic index builds: embed only what changed, switch in one step."""

from __future__ import annotations

import json
import logging
import os
import shutil
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from tqdm import tqdm

from index import bm25, generations, store, tables
from index.chunking import CHUNKER_VERSION, Chunker
from index.cleaning import CLEANER_VERSION, clean
from index.embedding import embed_texts, embedder_id, load_model, model_dimension
from index.errors import DossierError
from index.generations import ArticleEntry, Manifest
from index.loading import cap_title, load_corpus, skip_summary
from index.models import Article, BuildReport, Chunk, Skipped, sha256
from index.remote_embedder import RemoteSpec
from index.settings import Settings

Progress = Callable[[str, float, int, int], None]
"""Called with a stage name, the fraction done (0..1) and the items done of the stage's total
(articles while chunking, passages while embedding; 0, 0 where a stage has no count)."""

HOLD_ENV = "DOSSIER_FAULT_HOLD_AT"
log = logging.getLogger(__name__)


class NothingToIndex(DossierError, kind="input"):
    """The corpus holds no article that can be indexed; the previous index stays live."""


def checkpoint(stage: str) -> None:
    """Fault-injection point: with DOSSIER_FAULT_HOLD_AT=<stage> the build announces the stage
    and waits there, so a test can kill it at exactly that point. A no-op otherwise."""
    if os.environ.get(HOLD_ENV) == stage:
        print(f"HOLD {stage}", file=sys.stderr, flush=True)
        time.sleep(600)


@dataclass(frozen=True)
class Prepared:
    articles: list[Article]
    skipped: list[Skipped]


def prepare(settings: Settings) -> Prepared:
    """Load and clean the corpus; articles with no text left become skips."""
    raw, skipped = load_corpus(settings.corpus_dir, int(settings.max_file_mb * 1_000_000),
                               settings.max_records_per_file)
    articles = []
    for r in raw:
        try:
            cleaned = clean(r.text, r.meta.title)
        except Exception as exc:  # one article the cleaner chokes on must not stop the build
            log.warning("cleaning %s failed: %s: %s", r.path, type(exc).__name__, exc)
            skipped.append(Skipped(r.path, f"could not be cleaned ({type(exc).__name__})"))
            continue
        if not cleaned.text.strip():
            skipped.append(Skipped(r.path, "no article text left after removing page furniture"))
            continue
        meta = r.meta if r.meta.title else replace(r.meta, title=cap_title(cleaned.title))
        articles.append(Article(r.article_id, r.path, cleaned.text, meta))
    return Prepared(articles, skipped)


def nothing_to_index(settings: Settings, skipped: list[Skipped]) -> NothingToIndex:
    what = skip_summary(skipped) if skipped else "it holds no article files"
    return NothingToIndex(f"nothing to index in {settings.corpus_dir}: {what}")


def fingerprint(settings: Settings) -> str:
    """Anything that changes stored vectors or spans forces a full rebuild: the embedder
    (model, backend and the weights it runs) too."""
    parts = [settings.embedding_model, embedder_id(settings.embedding_model, settings.embedding_backend,
                                                       RemoteSpec.from_settings(settings)),
             str(settings.chunk_tokens),
             str(settings.chunk_overlap_tokens), CLEANER_VERSION, CHUNKER_VERSION]
    return sha256("|".join(parts))[:16]


def collection_name(settings: Settings, generation: str) -> str:
    """Embedded stores live in per-generation folders; a server needs one name per generation."""
    return f"{settings.collection}-{generation}" if settings.chroma_url else settings.collection


def _previous(index_dir: Path) -> tuple[Path | None, Manifest | None, str]:
    """The live generation to build on, or why there is none (damage means a full build)."""
    try:
        folder = generations.current_dir(index_dir)
        manifest = generations.read_manifest(folder)
        generations.verify_files(folder, manifest)
        if not manifest.chroma_url:  # its vectors are copied: they must be sound
            from index.reader import probe_store

            probe_store(folder, manifest)
        return folder, manifest, ""
    except generations.IndexMissing:
        return None, None, "no previous index"
    except generations.IndexCorrupt as exc:
        return None, None, f"previous index unusable ({exc})"
    except Exception as exc:  # any other damage to the folder: start over rather than fail
        log.info("previous index in %s unusable", index_dir, exc_info=True)
        return None, None, f"previous index unusable ({type(exc).__name__})"


def _live_name(index_dir: Path) -> str:
    """The generation ``CURRENT`` names, or "" when it is missing or damaged."""
    try:
        return generations.current_name(index_dir) or ""
    except generations.IndexCorrupt:
        return ""


def build(settings: Settings, force: bool = False, quiet: bool = False,
          progress: Progress | None = None) -> BuildReport:
    """Bring the index up to date with the corpus; see ``BuildReport`` for what happened."""
    t0 = time.perf_counter()
    index_dir = settings.index_dir
    report_progress = progress or (lambda stage, frac, done, total: None)
    with generations.BuildLock(index_dir):
        prev_dir, prev, why_full = _previous(index_dir)
        # The live generation stays until the switch, even damaged: readers may hold it.
        keep = {_live_name(index_dir)}
        generations.prune(index_dir, keep=keep)  # stale folders of killed or failed builds

        report_progress("loading", 0.0, 0, 0)
        prepared = prepare(settings)
        if not prepared.articles:
            raise nothing_to_index(settings, prepared.skipped)
        fp = fingerprint(settings)
        articles = {a.article_id: a for a in prepared.articles}
        report = BuildReport(skipped=prepared.skipped, index_dir=str(index_dir))

        full = force or prev is None or prev.fingerprint != fp or prev.chroma_url != settings.chroma_url
        if force:
            why_full = "rebuild requested"
        elif prev is not None and prev.fingerprint != fp:
            why_full = "embedding model or backend, or chunking settings changed"
        elif prev is not None and prev.chroma_url != settings.chroma_url:
            why_full = "store location changed"
        old = {} if full or prev is None else prev.articles
        for aid, art in articles.items():
            entry = old.get(aid)
            (report.added if entry is None else
             report.unchanged if entry.hash == art.content_hash else report.changed).append(aid)
        report.removed = sorted(set(old) - set(articles))
        report.full_rebuild = full
        report.reason = why_full if full else "incremental"

        # Nothing changed: the live generation stays, unless it predates the BM25 term statistics
        # (then a new generation is written from its vectors, without embedding anything).
        if not full and prev is not None and prev_dir is not None and bm25.TERMS_FILE in prev.files \
                and not (report.added or report.changed or report.removed):
            report.articles, report.chunks = len(prev.articles), prev.chunk_count
            report.seconds = time.perf_counter() - t0
            report_progress("done", 1.0, 0, 0)
            return report

        model = load_model(settings.embedding_model, settings.embedding_backend,
                           RemoteSpec.from_settings(settings))  # only now: an unchanged corpus needs no model
        folder = generations.new_generation(index_dir)
        try:
            _write_generation(settings, folder, prev_dir, prev, articles, report, model, fp,
                              quiet, report_progress)
            checkpoint("switch")
            generations.clear_current(index_dir)  # only if damage left a non-file there
            generations.publish(index_dir, folder)
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise
        checkpoint("prune")
        # Keep the generation readers may still hold; drop older ones.
        for name in generations.prune(index_dir, keep={folder.name, prev_dir.name if prev_dir else ""}):
            _drop_server_collection(settings, prev, name)
        report.seconds = time.perf_counter() - t0
        report_progress("done", 1.0, 0, 0)
        return report


def _write_generation(settings, folder, prev_dir, prev, articles, report, model, fp,
                      quiet, report_progress) -> None:
    name = collection_name(settings, folder.name)
    stale_ids = [cid for aid in report.changed + report.removed for cid in prev.articles[aid].chunks] \
        if prev and not report.full_rebuild else []

    # Start from the previous vectors (copied, never modified in place), then apply the diff.
    if prev_dir is not None and not report.full_rebuild and not settings.chroma_url:
        shutil.copytree(prev_dir / "chroma", folder / "chroma")
    client = store.open_client(settings.chroma_url, folder / "chroma")
    collection = store.create_collection(client, name)
    if prev is not None and not report.full_rebuild and settings.chroma_url:
        store.copy_collection(store.get_collection(client, prev.collection), collection)
    store.delete_ids(collection, stale_ids)

    chunker = Chunker(model.tokenizer, settings.chunk_tokens, settings.chunk_overlap_tokens,
                      model.max_seq_length)
    todo = [articles[a] for a in report.added + report.changed]
    new_chunks: list[Chunk] = []
    for n, art in enumerate(tqdm(todo, desc="Chunking", unit="article", disable=quiet or len(todo) < 50,
                                 file=sys.stderr, dynamic_ncols=True)):
        if n % 50 == 0:
            report_progress("chunking", n / max(1, len(todo)), n, len(todo))
        try:
            new_chunks.extend(chunker.split(art))
        except Exception as exc:  # the article drops out; the build goes on and says which
            log.warning("chunking %s failed: %s: %s", art.path, type(exc).__name__, exc)
            report.skipped.append(Skipped(art.path, f"could not be split into passages ({type(exc).__name__})"))
            for group in (report.added, report.changed):
                if art.article_id in group:
                    group.remove(art.article_id)
    report_progress("chunking", 1.0, len(todo), len(todo))

    done = 0
    # The page says "embedding" from the start: the first batch takes seconds, and "chunking 50 of
    # 63" would otherwise stay on screen meanwhile.
    report_progress("embedding", 0.0, 0, len(new_chunks))
    step = max(settings.embed_batch_size * 2, 64)  # progress every few seconds on 2 cores, still big batches
    # Embed in length order, as one encode() call would: batches of similar length waste
    # no work on padding (worth ~10% here). Store order does not matter.
    by_length = sorted(new_chunks, key=lambda c: len(c.text))
    bar = tqdm(total=len(new_chunks), desc="Embedding", unit="chunk", disable=quiet,
               file=sys.stderr, dynamic_ncols=True)
    with bar:
        for i in range(0, len(by_length), step):
            part = by_length[i : i + step]
            vectors = embed_texts(model, [c.text for c in part], settings.embed_batch_size)
            store.add_chunks(collection, part, vectors, articles)
            done += len(part)
            bar.update(len(part))
            report_progress("embedding", done / max(1, len(new_chunks)), done, len(new_chunks))
            checkpoint("embedding")
    report.embedded_chunks = len(new_chunks)

    # The full chunk table: kept chunks of unchanged articles plus the new ones, in corpus order.
    by_article: dict[str, list[Chunk]] = {}
    if prev_dir is not None and not report.full_rebuild:
        keep = set(report.unchanged)
        for c in tables.read_chunks(prev_dir):
            if c.article_id in keep:
                by_article.setdefault(c.article_id, []).append(c)
    for c in new_chunks:
        by_article.setdefault(c.article_id, []).append(c)
    ordered = [a for a in articles.values() if a.article_id in by_article]
    chunks = [c for a in ordered for c in by_article[a.article_id]]

    if not chunks:  # every article failed to split: say so, the previous index stays live
        raise nothing_to_index(settings, report.skipped)
    checkpoint("store")
    report_progress("bm25", 0.0, 0, 0)
    tables.write_tables(folder, ordered, chunks)
    checkpoint("tables")
    bm25.save(*bm25.build([c.text for c in chunks]), folder)

    stored = collection.count()
    if stored != len(chunks):
        raise RuntimeError(f"store holds {stored} chunks but the table has {len(chunks)}; build aborted")
    generations.write_atomic(folder / store.PROBE_FILE,
                             json.dumps(store.probe_sample(collection, [c.chunk_id for c in chunks])))
    client.close()  # flushes and releases the store before its files are recorded

    manifest = Manifest(
        generation=folder.name,
        built_at=datetime.now(UTC).isoformat(timespec="seconds"),
        model=settings.embedding_model,
        embedder=embedder_id(settings.embedding_model, settings.embedding_backend,
                             RemoteSpec.from_settings(settings)),
        dimension=model_dimension(model),
        chunk_tokens=chunker.chunk_tokens,
        chunk_overlap_tokens=chunker.overlap_tokens,
        fingerprint=fp,
        collection=name,
        chroma_url=settings.chroma_url,
        articles={
            a.article_id: ArticleEntry(a.content_hash, a.path, a.meta.title, a.meta.source,
                                       a.meta.published, [c.chunk_id for c in by_article[a.article_id]],
                                       a.meta.domain)
            for a in ordered
        },
        chunk_count=len(chunks),
        skipped=list(report.skipped),
        files=generations.record_files(folder, [tables.ARTICLES, tables.CHUNKS, "bm25", bm25.TERMS_FILE,
                                                store.PROBE_FILE,
                                                generations.STORE_DIR]),
    )
    generations.write_atomic(folder / generations.MANIFEST, json.dumps(manifest.to_json(), indent=1))
    report.articles, report.chunks = len(ordered), len(chunks)


def _drop_server_collection(settings: Settings, prev: Manifest | None, generation: str) -> None:
    """On a server, superseded generations' collections are deleted with their folders."""
    if not settings.chroma_url:
        return
    try:
        client = store.open_client(settings.chroma_url, None)
        client.delete_collection(collection_name(settings, generation))
    except Exception:  # already gone, or the server is away: harmless, retried next build
        pass
