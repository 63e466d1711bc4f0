import torch

from train.packing import pack


def test_documents_are_joined_by_eos_and_cut_into_rows():
    rows = pack([[1, 2, 3], [4, 5], [6, 7, 8, 9]], seq_len=3, eos_id=0)
    # stream: 1 2 3 0 4 5 0 6 7 8 9 0  -> rows of 4, no tail left
    assert rows.dtype == torch.int32
    assert rows.tolist() == [[1, 2, 3, 0], [4, 5, 0, 6], [7, 8, 9, 0]]


def test_incomplete_tail_is_dropped():
    rows = pack([[5] * 10], seq_len=4, eos_id=0)
    assert rows.shape == (2, 5)
    assert rows.flatten().tolist() == [5] * 10


def test_too_little_text_gives_no_rows():
    assert pack([[1]], seq_len=8, eos_id=0).shape == (0, 9)
