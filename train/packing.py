"""Packing tokenised documents into fixed-length training sequences: documents are
concatenated, each followed by the end-of-sequence token (the separator), and the stream
is cut into rows of `seq_len + 1` tokens (inputs and shifted targets share a row)."""

from __future__ import annotations

from typing import Iterable

import torch


def pack(documents: Iterable[list[int]], seq_len: int, eos_id: int) -> torch.Tensor:
    """Rows of `seq_len + 1` token ids, int32; the incomplete tail is dropped."""
    stream: list[int] = []
    for ids in documents:
        stream.extend(ids)
        stream.append(eos_id)
    width = seq_len + 1
    rows = len(stream) // width
    return torch.tensor(stream[: rows * width], dtype=torch.int32).view(rows, width)
