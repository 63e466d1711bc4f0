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


def test_meter_reports_tokens_per_second_and_mfu(monkeypatch):
    clock = iter([100.0, 102.0, 102.0, 103.0])
    monkeypatch.setattr("train.metrics.time.perf_counter", lambda: next(clock))
    meter = ThroughputMeter(flops_per_token=1e9, peak_flops=1e12)
    meter.add(1000)
    # 1000 tokens in 2 s = 500 tokens/s; 500 * 1e9 FLOPs = 0.5 TFLOP/s = half of the 1e12 peak
    assert meter.read() == pytest.approx({"tokens_per_s": 500.0, "tflops": 0.5, "mfu": 0.5})
    assert "mfu" not in ThroughputMeter(1e9, None).read()  # CPU: no peak, no MFU
