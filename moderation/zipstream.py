"""A ZIP archive written into a generator: each file is read and sent in chunks as it is
added, so a claim's "download all" never holds a whole file (or the archive) in memory.
``zipfile`` writes to an unseekable stream with data descriptors (sizes after each file)."""

import zipfile
from collections.abc import Iterable, Iterator

CHUNK = 64 * 1024


class _Pipe:
    """A write-only file object whose written bytes are taken out by the generator."""

    def __init__(self):
        self._chunks: list[bytes] = []

    def write(self, data) -> int:
        self._chunks.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def take(self) -> bytes:
        data = b"".join(self._chunks)
        self._chunks.clear()
        return data


def zip_chunks(members: Iterable[tuple[str, object]]) -> Iterator[bytes]:
    """``members`` is ``(name in the archive, opener)`` pairs; ``opener()`` gives a binary file
    object. Yields the archive's bytes. The files are stored, not compressed: evidence is
    mostly PDFs, images and video, which do not shrink, and storing keeps the CPU free."""
    pipe = _Pipe()
    with zipfile.ZipFile(pipe, mode="w", compression=zipfile.ZIP_STORED, allowZip64=True) as zf:
        for name, opener in members:
            info = zipfile.ZipInfo(name)
            info.compress_type = zipfile.ZIP_STORED
            with opener() as source, zf.open(info, mode="w", force_zip64=True) as target:
                while chunk := source.read(CHUNK):
                    target.write(chunk)
                    if data := pipe.take():
                        yield data
            if data := pipe.take():
                yield data
    if data := pipe.take():
        yield data
