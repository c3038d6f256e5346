"""The sentence-transformers model run by ONNX Runtime: no torch or transformers at query time.

The ONNX file is a derived artifact: exported locally, offline, from the installed model
folder with ``torch.onnx.export`` (transformer + pooling + normalization in one graph, eager
attention so its pattern is recognisable), fused by ONNX Runtime's transformer optimizer
(embedding + LayerNorm, attention, bias + GELU, skip + LayerNorm: one kernel each), optionally
quantized, and cached by a key of the source files and the recipe. It is made
once (``make install`` or the first use, with a one-line notice); every later process only
loads it. Texts are tokenized by the ``tokenizers`` fast tokenizer from the model's own
``tokenizer.json``, batched in length order so short texts are not padded to long ones.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from index.errors import DossierError

RECIPE = "2"  # bump when the export changes the graph or its numbers
OPSET = 17
VARIANTS = ("fp32", "int8")


class ExportError(DossierError, kind="install"):
    """The model folder cannot be exported (an architecture or pooling this recipe does not know)."""


@dataclass(frozen=True)
class SourceModel:
    folder: Path
    max_seq_length: int
    pooling: str  # "mean" or "cls"
    normalize: bool


def read_source(folder: Path) -> SourceModel:
    """What the sentence-transformers folder says about sequence length, pooling and normalization."""
    max_len = 256
    cfg = folder / "sentence_bert_config.json"
    if cfg.is_file():
        max_len = int(json.loads(cfg.read_text()).get("max_seq_length") or max_len)
    pooling, normalize = "mean", False
    modules = folder / "modules.json"
    if modules.is_file():
        for mod in json.loads(modules.read_text()):
            kind = str(mod.get("type", ""))
            if kind.endswith("Normalize"):
                normalize = True
            elif kind.endswith("Pooling"):
                pcfg = json.loads((folder / mod.get("path", "") / "config.json").read_text())
                if pcfg.get("pooling_mode_mean_tokens"):
                    pooling = "mean"
                elif pcfg.get("pooling_mode_cls_token"):
                    pooling = "cls"
                else:
                    raise ExportError(f"pooling {pcfg} is not supported by the ONNX backend; use torch")
            elif not kind.endswith("Transformer"):
                raise ExportError(f"module {kind} is not supported by the ONNX backend; use torch")
    if not (folder / "tokenizer.json").is_file():
        raise ExportError(f"{folder} has no tokenizer.json (a fast tokenizer is needed); use torch")
    return SourceModel(folder, max_len, pooling, normalize)


def cache_root() -> Path:
    """Where exports live: DOSSIER_EMBEDDER_CACHE, else beside the venv, else ~/.cache/dossier."""
    env = os.environ.get("DOSSIER_EMBEDDER_CACHE")
    if env:
        return Path(env).expanduser()
    venv = Path(sys.prefix) / "share" / "dossier" / "embedders"
    try:
        venv.mkdir(parents=True, exist_ok=True)
        if os.access(venv, os.W_OK):
            return venv
    except OSError:
        pass
    return Path.home() / ".cache" / "dossier" / "embedders"


def _source_key(folder: Path, by_content: bool) -> str:
    """Identity of the source files: by path, size and mtime for the installed package (cheap at
    every start), by content for any other folder (so copies share one export)."""
    h = hashlib.sha256(f"{RECIPE}|{OPSET}|{'' if by_content else folder.resolve()}".encode())
    for p in sorted(folder.rglob("*")):
        if p.is_file():
            st = p.stat()
            h.update(f"|{p.relative_to(folder)}:{st.st_size}".encode())
            if by_content:
                h.update(_sha256_file(p).encode())
            else:
                h.update(f":{st.st_mtime_ns}".encode())
    return h.hexdigest()[:16]


def export_dir(folder: Path, variant: str, by_content: bool = False) -> Path:
    return cache_root() / f"{folder.name}-{variant}-{_source_key(folder, by_content)}"


def _sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _export_fp32(src: SourceModel, out: Path) -> None:
    """Transformer + pooling + normalization as one ONNX graph (the legacy TorchScript exporter:
    it needs no onnxscript and gives one self-contained file)."""
    import inspect

    import torch
    from transformers import AutoModel

    # Eager attention exports the matmul/softmax pattern the fusion below recognises (SDPA's does
    # not fuse); the numbers are the same.
    base = AutoModel.from_pretrained(str(src.folder), local_files_only=True, attn_implementation="eager").eval()
    takes_types = "token_type_ids" in inspect.signature(base.forward).parameters

    class Pooled(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.base = base

        def forward(self, input_ids, attention_mask):
            extra = {"token_type_ids": torch.zeros_like(input_ids)} if takes_types else {}
            h = self.base(input_ids=input_ids, attention_mask=attention_mask, **extra).last_hidden_state
            if src.pooling == "cls":
                v = h[:, 0]
            else:
                m = attention_mask.unsqueeze(-1).to(h.dtype)
                v = (h * m).sum(1) / m.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(v, p=2, dim=1) if src.normalize else v

    ids = torch.ones((2, 8), dtype=torch.long)
    import warnings

    with warnings.catch_warnings(), torch.no_grad():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            Pooled().eval(), (ids, torch.ones_like(ids)), str(out), dynamo=False, opset_version=OPSET,
            input_names=["input_ids", "attention_mask"], output_names=["embedding"],
            dynamic_axes={"input_ids": {0: "batch", 1: "seq"}, "attention_mask": {0: "batch", 1: "seq"},
                          "embedding": {0: "batch"}},
        )


def _fuse(src: SourceModel, plain: Path, out: Path) -> dict[str, int]:
    """ONNX Runtime's transformer optimizer on the exported graph (a BERT-family encoder): fused
    attention, embedding + LayerNorm, bias + GELU and skip + LayerNorm kernels. Kept only if its
    vectors equal the plain graph's on probe inputs; otherwise the plain graph is used (returns
    the fused-operator counts, empty when nothing was fused)."""
    import logging

    from onnxruntime.transformers.optimizer import optimize_model

    cfg = json.loads((src.folder / "config.json").read_text()) if (src.folder / "config.json").is_file() else {}
    if cfg.get("model_type") not in ("bert", "roberta", "xlm-roberta", "distilbert", "mpnet"):
        shutil.copyfile(plain, out)
        return {}
    logging.disable(logging.WARNING)
    try:
        model = optimize_model(str(plain), model_type="bert", num_heads=int(cfg.get("num_attention_heads", 0)),
                               hidden_size=int(cfg.get("hidden_size", 0)), opt_level=0)
        model.save_model_to_file(str(out))
        stats = {k: int(v) for k, v in model.get_fused_operator_statistics().items() if v}
    finally:
        logging.disable(logging.NOTSET)
    if not _same_vectors(plain, out, int(cfg.get("vocab_size", 1000))):
        shutil.copyfile(plain, out)
        return {}
    return stats


def _same_vectors(a: Path, b: Path, vocab: int, atol: float = 1e-4) -> bool:
    """Two graphs give the same vectors on random token ids with ragged padding."""
    import onnxruntime as ort

    rng = np.random.default_rng(0)
    ids = rng.integers(1000, max(vocab, 1001), size=(4, 48), dtype=np.int64)
    mask = np.ones_like(ids)
    for row, n in enumerate((48, 30, 7, 2)):
        mask[row, n:] = 0
        ids[row, n:] = 0
    feed = {"input_ids": ids, "attention_mask": mask}
    outs = [ort.InferenceSession(str(p), providers=["CPUExecutionProvider"]).run(None, feed)[0] for p in (a, b)]
    return bool(np.allclose(outs[0], outs[1], atol=atol))


def _quantize_int8(fp32: Path, out: Path) -> None:
    """Dynamic int8 weights, per output channel (activations quantized at run time); the fused
    attention becomes QAttention, the other matmuls MatMulInteger."""
    import logging

    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    logging.disable(logging.WARNING)  # its advice to pre-process is for static quantization
    try:
        # Fused (com.microsoft) ops defeat shape inference: their outputs are float.
        quantize_dynamic(str(fp32), str(out), weight_type=QuantType.QInt8, per_channel=True,
                         extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT})
    finally:
        logging.disable(logging.NOTSET)


def ensure_export(folder: Path, variant: str, quiet: bool = False, by_content: bool = False) -> Path:
    """The export folder for ``folder`` and ``variant``, made now if missing (atomically)."""
    if variant not in VARIANTS:
        raise ExportError(f"unknown ONNX variant {variant!r}; one of {VARIANTS}")
    target = export_dir(folder, variant, by_content)
    if (target / "meta.json").is_file():
        return target
    src = read_source(folder)
    if not quiet:
        print(f"dossier: exporting the embedding model to ONNX ({variant}) once, into {target} ...",
              file=sys.stderr, flush=True)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".export-", dir=target.parent))
    try:
        plain, fp32 = tmp / "plain.onnx", tmp / "fp32.onnx"
        _export_fp32(src, plain)
        fused = _fuse(src, plain, fp32)
        plain.unlink()
        if variant == "int8":
            _quantize_int8(fp32, tmp / "model.onnx")
            fp32.unlink()
        else:
            fp32.rename(tmp / "model.onnx")
        shutil.copy2(folder / "tokenizer.json", tmp / "tokenizer.json")
        import torch

        meta = {"source": str(folder.resolve()), "variant": variant, "recipe": RECIPE, "opset": OPSET,
                "torch": torch.__version__, "max_seq_length": src.max_seq_length, "pooling": src.pooling,
                "normalize": src.normalize, "fused": fused, "sha256": _sha256_file(tmp / "model.onnx")}
        (tmp / "meta.json").write_text(json.dumps(meta, indent=1))
        try:
            os.replace(tmp, target)
        except OSError:  # another process finished the same export first: keep theirs
            if not (target / "meta.json").is_file():
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return target


class FastTokenizer:
    """The slice of the transformers tokenizer API the chunker uses, on ``tokenizers`` alone."""

    def __init__(self, path: Path, max_length: int):
        from tokenizers import Tokenizer

        self.model_max_length = max_length
        self._counting = Tokenizer.from_file(str(path))
        self._counting.no_truncation()
        self._counting.no_padding()
        self.batching = Tokenizer.from_file(str(path))
        self.batching.enable_truncation(max_length)
        pad = self.batching.padding or {}
        self.batching.enable_padding(pad_id=int(pad.get("pad_id", 0)), pad_token=str(pad.get("pad_token", "[PAD]")))

    def tokenize(self, text: str, verbose: bool = False) -> list[str]:
        """Word pieces without special tokens (``verbose`` is accepted for the transformers API; the
        ``tokenizers`` library prints nothing about long inputs)."""
        return self._counting.encode(text, add_special_tokens=False).tokens


class OnnxEmbedder:
    """Normalized sentence vectors from the exported graph; same call shape as SentenceTransformer.encode."""

    def __init__(self, folder: Path, variant: str = "fp32", threads: int | None = None,
                 by_content: bool = False):
        import onnxruntime as ort

        self.source = folder
        self.variant = variant
        self.dir = ensure_export(folder, variant, by_content=by_content)
        self.meta = json.loads((self.dir / "meta.json").read_text())
        self.max_seq_length = int(self.meta["max_seq_length"])
        self.tokenizer = FastTokenizer(self.dir / "tokenizer.json", self.max_seq_length)
        opts = ort.SessionOptions()
        opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
        opts.intra_op_num_threads = threads or cores or 1
        opts.log_severity_level = 3
        # Idle threads sleep instead of spinning: on a machine shared with other work, spinning
        # burns the cores the other thread needs (measured faster under load, docs/BENCHMARKS.md).
        opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self.session = ort.InferenceSession(str(self.dir / "model.onnx"), opts,
                                            providers=["CPUExecutionProvider"])
        self._dim = int(self.session.get_outputs()[0].shape[1] or 0) or len(self._run(["x"])[0])

    @property
    def fingerprint(self) -> str:
        return str(self.meta["sha256"])[:16]

    def get_embedding_dimension(self) -> int:
        return self._dim

    def _run(self, texts: list[str]) -> np.ndarray:
        enc = self.tokenizer.batching.encode_batch(texts)
        ids = np.asarray([e.ids for e in enc], dtype=np.int64)
        mask = np.asarray([e.attention_mask for e in enc], dtype=np.int64)
        return self.session.run(None, {"input_ids": ids, "attention_mask": mask})[0]

    def encode(self, texts: list[str], batch_size: int = 64, normalize_embeddings: bool = True,
               convert_to_numpy: bool = True, show_progress_bar: bool = False) -> np.ndarray:
        """Vectors in input order; batches are formed in length order (padding-aware)."""
        if not texts:
            return np.zeros((0, self._dim), dtype=np.float32)
        order = np.argsort([len(t) for t in texts], kind="stable")
        out = np.empty((len(texts), self._dim), dtype=np.float32)
        for i in range(0, len(texts), batch_size):
            idx = order[i : i + batch_size]
            out[idx] = self._run([texts[j] for j in idx])
        if normalize_embeddings and not self.meta.get("normalize"):
            out /= np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)
        return out


def main() -> None:
    """``python -m index.onnx_embedder``: make the default embedder's export now (make install)."""
    from index.embedding import embedder_id
    from index.environment import configure

    configure()
    from index.settings import get_settings

    settings = get_settings()
    if settings.embedding_backend == "torch":
        print("dossier: the torch embedder needs no export")
        return
    print(f"dossier: embedder {embedder_id(settings.embedding_model, settings.embedding_backend)} ready")


if __name__ == "__main__":
    main()
