"""A request body sent from the chunks it was encoded in, never joined into one copy."""

from __future__ import annotations

from collections.abc import Iterator


class Body:
    """A JSON request body kept as the byte chunks it was encoded in.

    ``requests`` reads it like a file (its length is known, so it goes with a
    Content-Length), and the chunks are never joined: a batch of runs with big
    attachments is in memory once, not three times (items, JSON text, bytes).
    """

    def __init__(self, chunks: list[bytes]) -> None:
        self._chunks = chunks
        self._length = sum(len(c) for c in chunks)
        self.rewind()

    def __len__(self) -> int:
        return self._length

    def __iter__(self) -> Iterator[bytes]:
        return iter(self._chunks)

    def rewind(self) -> None:
        self._index, self._offset = 0, 0

    def read(self, size: int = -1) -> bytes:
        out = bytearray()
        while self._index < len(self._chunks) and (size < 0 or len(out) < size):
            chunk = self._chunks[self._index]
            take = (
                len(chunk) - self._offset
                if size < 0
                else min(size - len(out), len(chunk) - self._offset)
            )
            out += chunk[self._offset : self._offset + take]
            self._offset += take
            if self._offset == len(chunk):
                self._index, self._offset = self._index + 1, 0
        return bytes(out)
