"""A build running in a background thread, with progress the web page can poll."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

from index.build import build
from index.generations import BuildLocked, is_build_running
from index.models import BuildReport
from index.settings import Settings


@dataclass
class BuildState:
    running: bool = False
    stage: str = ""
    fraction: float = 0.0
    done: int = 0  # items of the stage done, of ``total`` (0 when the stage has no count)
    total: int = 0
    report: BuildReport | None = None
    error: str | None = None
    started: float = field(default_factory=time.time)


class BackgroundBuilder:
    """One build at a time per process; the file lock also stops builds from other processes."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.state = BuildState()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def start(self, force: bool = False) -> str | None:
        """Start a build; returns a refusal message if one is already running."""
        with self._lock:
            if self.state.running or is_build_running(self.settings.index_dir):
                return "A rebuild is already running; wait for it to finish."
            self.state = BuildState(running=True, stage="starting")
            self._thread = threading.Thread(target=self._run, args=(force,), daemon=True, name="dossier-build")
            self._thread.start()
        return None

    def _progress(self, stage: str, fraction: float, done: int = 0, total: int = 0) -> None:
        self.state.stage, self.state.fraction, self.state.done, self.state.total = stage, fraction, done, total

    def describe(self) -> str:
        """"stage embedding: 1,024 of 2,744 passages (37%)" for the page."""
        st = self.state
        unit = {"chunking": "articles", "embedding": "passages"}.get(st.stage, "")
        counts = f": {st.done:,} of {st.total:,} {unit}" if st.total and unit else ""
        return f"stage {st.stage or 'starting'}{counts} ({st.fraction:.0%})"

    def _run(self, force: bool) -> None:
        try:
            self.state.report = build(self.settings, force=force, quiet=True, progress=self._progress)
        except BuildLocked as exc:
            self.state.error = str(exc)
        except Exception as exc:  # reported on the page; the previous index keeps serving
            self.state.error = f"{type(exc).__name__}: {exc}"
        finally:
            self.state.running = False

    def wait(self, timeout: float | None = None) -> None:
        if self._thread:
            self._thread.join(timeout)
