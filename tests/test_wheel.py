"""A wheel built from the repository, installed in a fresh virtual environment, answers with the
same prompts and calibration as the source tree (they are package data, not files beside it)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from dataclasses import asdict
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# The shared environment's packages (langchain, chromadb, ...), but not its editable Dossier.
SHARED_SITE = sysconfig.get_paths()["purelib"]
NOT_SOURCE = shutil.ignore_patterns(".git", ".venv", ".dossier", "build", "dist", "*.egg-info", "__pycache__",
                                    ".pytest_cache", ".ruff_cache", ".mypy_cache", "out")

PROBE = """
import json, sys
from dataclasses import asdict
import assistant, index, prompts
from assistant import prompts as p
from assistant.answerability import CALIBRATION_FILE, Calibration
from index.errors import DossierError
def loaded():
    try:
        return asdict(Calibration.load())
    except DossierError as exc:  # compared with the source tree's outcome, whichever it is
        return {"error": exc.user_message.replace(str(CALIBRATION_FILE), "<file>")}
names = sorted(r.name[:-3] for r in __import__("importlib.resources").resources.files("prompts").iterdir()
               if r.name.endswith(".md"))
print(json.dumps({
    "files": [assistant.__file__, index.__file__, prompts.__file__, str(CALIBRATION_FILE)],
    "prompts": {n: p.read(n) for n in names},
    "chat_prompt": p.answer_prompt().input_variables,
    "calibration": loaded(),
    "calibration_text": CALIBRATION_FILE.read_text(encoding="utf-8"),
}))
"""

MISSING = """
import os
from assistant import prompts
from index.errors import DossierError
os.remove(prompts.resources.files("prompts") / "condense.md")
try:
    prompts.template("condense")
except DossierError as exc:
    print(exc.kind, exc.user_message)
"""


ASK = """
import json
from assistant.pipeline import Assistant
from index.settings import Settings
bot = Assistant(Settings(corpus_dir={corpus!r}, index_dir={index!r}))
answers = [bot.ask(q) for q in {questions!r}]
print(json.dumps([[a.answer, a.refused, a.evidence, a.answerable_probability] for a in answers]))
"""
QUESTIONS = ["How much was trade between China and Russia worth?", "Who won the 2030 World Cup?"]


def _run(python: Path, code: str, cwd: Path, **extra_env: str) -> str:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH" and not k.startswith("DOSSIER_")}
    env.update(extra_env)
    # -I: no PYTHONPATH, no current directory on the path: only what is installed is importable.
    out = subprocess.run([str(python), "-I", "-c", code], cwd=cwd, env=env, capture_output=True, text=True,
                         timeout=300)
    assert out.returncode == 0, out.stderr[-3000:]
    return out.stdout


@pytest.mark.slow
def test_wheel_install_reads_the_same_prompts_and_calibration(tmp_path):
    source = tmp_path / "src"
    shutil.copytree(ROOT, source, ignore=NOT_SOURCE)  # a clean copy: no stale build/ can leak in
    wheels = tmp_path / "wheels"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w",
                    str(wheels), str(source)], check=True, capture_output=True, timeout=300)
    (wheel,) = wheels.glob("dossier-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "assistant/calibration.json" in names and "prompts/answer.md" in names
    assert not [n for n in names if n.startswith(("tests/", "evals/", "corpus/"))]  # gold sets stay out

    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=300)
    python = venv / "bin" / "python"
    site = Path(_run(python, "import sysconfig; print(sysconfig.get_paths()['purelib'])", tmp_path).strip())
    (site / "shared.pth").write_text(SHARED_SITE + "\n", encoding="utf-8")
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "--no-index", "-q", "--target",
                    str(site), str(wheel)], check=True, capture_output=True, timeout=300)

    got = json.loads(_run(python, PROBE, tmp_path))
    assert all(f.startswith(str(venv)) for f in got["files"]), got["files"]

    from assistant import prompts
    from assistant.answerability import CALIBRATION_FILE, Calibration
    from index.errors import DossierError

    shipped = sorted(p.stem for p in (ROOT / "prompts").glob("*.md"))
    assert sorted(got["prompts"]) == shipped
    assert got["prompts"] == {n: (ROOT / "prompts" / f"{n}.md").read_text(encoding="utf-8") for n in shipped}
    assert got["chat_prompt"] == prompts.answer_prompt().input_variables
    assert got["calibration_text"] == (ROOT / "assistant" / "calibration.json").read_text(encoding="utf-8")
    try:
        here = json.loads(json.dumps(asdict(Calibration.load())))
    except DossierError as exc:
        here = {"error": exc.user_message.replace(str(CALIBRATION_FILE), "<file>")}
    assert got["calibration"] == here

    # The installed package answers exactly as the source tree does, from the same index.
    from assistant.pipeline import Assistant
    from index.build import build
    from tests.helpers import SEED_CORPUS, make_settings

    settings = make_settings(SEED_CORPUS, tmp_path / "index")
    build(settings, quiet=True)
    # The wheel's environment reuses this one's derived ONNX model instead of exporting its own.
    cache = str(Path(sys.prefix) / "share" / "dossier" / "embedders")
    there = json.loads(_run(python, ASK.format(corpus=str(SEED_CORPUS), index=str(tmp_path / "index"),
                                               questions=QUESTIONS), tmp_path, DOSSIER_EMBEDDER_CACHE=cache))
    bot = Assistant(settings)
    here_answers = [bot.ask(q) for q in QUESTIONS]
    assert there == json.loads(json.dumps([[a.answer, a.refused, a.evidence, a.answerable_probability]
                                           for a in here_answers]))
    assert [refused for _, refused, _, _ in there] == [False, True]

    # A missing packaged file is an error that names it, never a silent default.
    said = _run(python, MISSING, tmp_path)
    assert said.startswith("install ") and "prompts/condense.md" in said
