import pytest

from train.metrics import ThroughputMeter
from train.model import build_model, model_shape

SHAPE = {"hidden_size": 64, "intermediate_size": 160, "num_layers": 3, "num_heads": 4, "num_kv_heads": 4,
         "max_seq_len": 128, "tie_embeddings": False}


def test_flops_per_token_is_6n_plus_attention():
    model = build_model(SHAPE, vocab_size=500, bos_id=0, eos_id=1, pad_id=2)
    shape = model_shape(model)
    per_layer = 4 * 64 * 64 + 3 * 64 * 160 + 2 * 64  # attention, MLP, two RMSNorm weights
    assert shape.params == 3 * per_layer + 64 + 500 * 64  # + final norm + untied output head
    assert (shape.layers, shape.heads, shape.head_dim) == (3, 4, 16)
    assert shape.flops_per_token(128) == 6 * shape.params + 12 * 3 * 4 * 16 * 128


def test_meter_reports_tokens_per_second_and_mfu():
    meter = ThroughputMeter(flops_per_token=1e9, peak_flops=1e12)
    meter.add(1000)
    reading = meter.read()
    assert reading["tokens_per_s"] > 0
    assert reading["mfu"] == pytest.approx(reading["tokens_per_s"] * 1e9 / 1e12)
    assert "mfu" not in ThroughputMeter(1e9, None).read()  # CPU: no peak, no MFU
