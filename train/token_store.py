"""The token store: a corpus far larger than memory, on disk as nanoGPT's `train.bin`.

A store is a folder of shard files, each a flat array of token ids (uint16 when the
vocabulary fits, else uint32; every document followed by the end-of-sequence token), and
`index.json` listing the shards in order with their token counts and mixture repeat. It is
read through memory maps: row `i` is `width` consecutive tokens of one shard (a shard's
incomplete last row is dropped), and a shard with repeat `r` contributes `round(r × rows)`
rows, cycling through its own (a repeat below 1 keeps its first rows). Pages of a memory map
are file-backed: reading rows grows no anonymous memory."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Iterable, Sequence

import numpy as np
import torch

INDEX = "index.json"


def token_dtype(vocab_size: int) -> np.dtype:
    """The smallest unsigned type that holds every id of a vocabulary."""
    return np.dtype(np.uint16 if vocab_size <= 1 << 16 else np.uint32)


class ShardWriter:
    """Appends documents to one shard file; the file gets its name only when closed, so a
    shard on disk is always complete."""

    def __init__(self, path: Path, dtype: np.dtype, eos_id: int) -> None:
        self.path, self.dtype, self.eos_id = path, dtype, eos_id
        self.partial = path.with_name(path.name + ".partial")
        self.partial.parent.mkdir(parents=True, exist_ok=True)
        self._file = self.partial.open("wb")
        self.tokens = self.documents = 0

    def add(self, documents: Iterable[list[int]]) -> None:
        stream: list[int] = []
        for ids in documents:
            stream.extend(ids)
            stream.append(self.eos_id)
            self.documents += 1
        np.asarray(stream, dtype=self.dtype).tofile(self._file)
        self.tokens += len(stream)

    def close(self) -> dict[str, Any]:
        """Finish the file; its entry for the index."""
        self._file.close()
        self.partial.rename(self.path)
        return {"file": self.path.name, "tokens": self.tokens, "documents": self.documents}


def write_index(root: Path, dtype: np.dtype, shards: Sequence[dict[str, Any]]) -> None:
    """`index.json` of the store in `root`: shard entries (`file`, `tokens`, optional `repeat`)."""
    (root / INDEX).write_text(json.dumps({"dtype": dtype.name, "shards": list(shards)}, indent=1))


class TokenStore:
    """The rows of `width` tokens of the store in `root`."""

    def __init__(self, root: Path, width: int) -> None:
        index = json.loads((root / INDEX).read_text())
        dtype = np.dtype(index["dtype"])
        self.width = width
        self._maps: list[np.memmap] = []
        rows, counts = [], []
        for shard in index["shards"]:
            whole = shard["tokens"] // width
            count = round(shard.get("repeat", 1.0) * whole)
            if count:
                self._maps.append(np.memmap(root / shard["file"], dtype=dtype, mode="r", shape=(whole * width,)))
                rows.append(whole)
                counts.append(count)
        self._rows = np.asarray(rows, dtype=np.int64)
        self._starts = np.concatenate([[0], np.cumsum(counts, dtype=np.int64)])

    def __len__(self) -> int:
        return int(self._starts[-1])

    def rows(self, indices: Sequence[int] | torch.Tensor) -> torch.Tensor:
        """The rows at `indices` as a `[len(indices), width]` int64 tensor."""
        indices = np.asarray(indices, dtype=np.int64)
        if len(indices) and (indices.min() < 0 or indices.max() >= len(self)):
            raise IndexError(f"row index out of range for a store of {len(self)} rows")
        shards = np.searchsorted(self._starts, indices, side="right") - 1
        local = (indices - self._starts[shards]) % self._rows[shards]
        out = np.empty((len(indices), self.width), dtype=np.int64)
        for shard in np.unique(shards).tolist():
            mine = shards == shard
            out[mine] = self._maps[shard].reshape(-1, self.width)[local[mine]]  # reads only these rows
        return torch.from_numpy(out)
