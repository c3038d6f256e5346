"""One error type for everything Dossier reports to a person, turned into exit codes and messages here.

Every exception the user can act on (no index yet, a damaged index, a bad filter, a server
that is down, a missing model or packaged file) subclasses ``DossierError``; its message says
what to do. The entry points (``python -m index``, ``python -m assistant``, the web app)
convert at their boundary with ``exit_code`` and ``user_message`` instead of listing classes.

It lives in ``index/`` because ``index/`` is the layer every other layer already imports;
``index/`` itself never imports ``assistant/``.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import ClassVar, Literal

Kind = Literal["input", "index", "service", "install"]

USER_FIXABLE = 2  # the exit code of every DossierError unless a class says otherwise
INTERRUPTED = 130


class DossierError(Exception):
    """Base of every error Dossier shows a person; ``str(exc)`` says what happened and how to fix it."""

    exit_code: ClassVar[int] = USER_FIXABLE
    kind: ClassVar[Kind] = "input"

    def __init_subclass__(cls, kind: Kind | None = None, exit_code: int | None = None, **kw: object) -> None:
        """``class IndexMissing(DossierError, kind="index")``: the kind on the class line."""
        super().__init_subclass__(**kw)
        if kind is not None:
            cls.kind = kind
        if exit_code is not None:
            cls.exit_code = exit_code

    @property
    def user_message(self) -> str:
        return str(self) or (type(self).__doc__ or type(self).__name__).strip().splitlines()[0]


class BadInput(DossierError, ValueError):
    """A question, argument or file given by the user that Dossier cannot use."""


class PathMissing(DossierError, FileNotFoundError):
    """A folder or file the user named does not exist."""


class ResourceMissing(DossierError, kind="install"):
    """A file that ships with Dossier (a prompt, the calibration) is missing: the install is broken."""


def _is_settings_error(exc: BaseException) -> bool:
    """Settings come from the environment or dossier.toml: a bad value is the user's to fix."""
    pydantic = sys.modules.get("pydantic")
    return pydantic is not None and isinstance(exc, pydantic.ValidationError)


def exit_code(exc: BaseException) -> int:
    """The process exit code for an exception that reached a command-line boundary."""
    if isinstance(exc, DossierError):
        return exc.exit_code
    if isinstance(exc, KeyboardInterrupt):
        return INTERRUPTED
    if _is_settings_error(exc):
        return USER_FIXABLE
    return 1


def user_message(exc: BaseException) -> str:
    """One line for a person: the error's own words for ours, the class name as well for a bug."""
    if isinstance(exc, DossierError):
        text = exc.user_message
    elif _is_settings_error(exc):
        text = f"invalid setting: {exc}"
    else:
        text = f"{type(exc).__name__}: {exc}"
    return " ".join(text.split())


def run_command(command: Callable[[], int], interrupted: str = "") -> int:
    """Run a CLI command; any failure becomes one line on stderr and an exit code, never a traceback."""
    try:
        return command()
    except KeyboardInterrupt:
        if interrupted:
            print(interrupted, file=sys.stderr)
        return INTERRUPTED
    except BrokenPipeError:  # output piped into `head` and closed early
        return 0
    except Exception as exc:
        print(f"error: {user_message(exc)}", file=sys.stderr)
        return exit_code(exc)
