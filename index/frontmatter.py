"""YAML front matter read as plain data: no aliases, bounded size and depth.

Front matter is untrusted. YAML aliases let a few hundred bytes expand to
gigabytes ("billion laughs"), and deep nesting exhausts the parser's stack, so
both are refused here; a refused block becomes the file's skip reason.
"""

from __future__ import annotations

import re

import yaml

from index.errors import DossierError

MAX_BYTES = 64_000
MAX_DEPTH = 20

_BLOCK = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)", re.S)


class FrontMatterError(DossierError):
    """Front matter that is present but refused; the message is the reason."""


class _PlainLoader(yaml.SafeLoader):
    """``SafeLoader`` that refuses aliases and nesting deeper than ``MAX_DEPTH``."""

    def __init__(self, stream: str):
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            raise FrontMatterError("front matter uses YAML aliases, which are not accepted")
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise FrontMatterError(f"front matter is nested deeper than {MAX_DEPTH} levels")
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def split_front_matter(text: str) -> tuple[dict, str]:
    """(fields, body). Text without a front matter block, or whose block is not a YAML
    mapping (a Markdown rule, say), is all body; a hostile block raises ``FrontMatterError``."""
    match = _BLOCK.match(text)
    if not match:
        return {}, text
    block = match.group(1)
    if len(block.encode("utf-8", "surrogatepass")) > MAX_BYTES:
        raise FrontMatterError(f"front matter larger than {MAX_BYTES // 1000} KB")
    loader = _PlainLoader(block)
    try:
        data = loader.get_single_data()
    except yaml.YAMLError:
        return {}, text
    except RecursionError as exc:
        raise FrontMatterError("front matter is nested too deeply") from exc
    finally:
        loader.dispose()
    if not isinstance(data, dict):
        return {}, text
    return data, text[match.end():]
