"""Sentence-aware chunks that fit the embedding model's window, with exact offsets."""

from __future__ import annotations

from langchain_text_splitters import RecursiveCharacterTextSplitter

from index.models import Article, Chunk, sha256

CHUNKER_VERSION = "2"  # 2: sentences are not split at abbreviations or initials

# Paragraphs, then lines, then sentence ends, then clauses, then words.
SEPARATORS = [
    r"\n\n",
    r"\n",
    r"(?<=[.!?…])\s+|(?<=[.!?][\"'”’»)])\s+",
    r"(?<=[;:])\s+",
    r"(?<=,)\s+",
    r"\s+",
    "",
]


def chunk_id(article_id: str, char_start: int, text: str) -> str:
    """Stable: the same article text always gives the same IDs."""
    return sha256(f"{article_id}\x00{char_start}\x00{text}")[:32]


class Chunker:
    """Wraps LangChain's recursive splitter with the model's own tokenizer as the ruler."""

    def __init__(self, tokenizer, chunk_tokens: int, overlap_tokens: int, max_tokens: int):
        # The model adds [CLS] and [SEP]; leave room for them inside its window.
        self.chunk_tokens = min(chunk_tokens, max_tokens - 2)
        self.overlap_tokens = min(overlap_tokens, self.chunk_tokens // 2)
        self.tokenizer = tokenizer
        self._counts: dict[str, int] = {}
        self.splitter = RecursiveCharacterTextSplitter(
            separators=SEPARATORS,
            is_separator_regex=True,
            keep_separator=True,
            chunk_size=self.chunk_tokens,
            chunk_overlap=self.overlap_tokens,
            length_function=self.count_tokens,
            strip_whitespace=True,
        )

    def count_tokens(self, text: str) -> int:
        """Word pieces without special tokens (the splitter asks about the same pieces repeatedly).

        ``verbose=False``: measuring a paragraph longer than the model's window is the point
        here, so the tokenizer's "sequence length is longer than the maximum" warning, meant
        for text fed to the model, would only alarm whoever watches a build."""
        count = self._counts.get(text)
        if count is None:
            count = self._counts[text] = len(self.tokenizer.tokenize(text, verbose=False))
            if len(self._counts) > 100_000:
                self._counts.clear()
        return count

    def split(self, article: Article) -> list[Chunk]:
        chunks: list[Chunk] = []
        cursor = 0
        for piece in self.splitter.split_text(article.text):
            # Each chunk starts after the previous one's start; find it from there.
            start = article.text.find(piece, cursor)
            if start < 0:  # cannot happen for substrings, but never store a wrong span
                start = article.text.find(piece)
                if start < 0:
                    continue
            end = start + len(piece)
            chunks.append(
                Chunk(chunk_id(article.article_id, start, piece), article.article_id,
                      len(chunks), piece, start, end)
            )
            cursor = start + 1
        return chunks
