import math

import pytest
import torch

from train.schedule import build_scheduler, lr_factor


def test_warmup_is_linear_then_cosine_decays_to_one_thirtieth():
    factors = [lr_factor(s, warmup_steps=10, decay_steps=110, min_ratio=1 / 30) for s in range(200)]
    assert factors[:10] == pytest.approx([(s + 1) / 10 for s in range(10)])
    assert factors[10] == pytest.approx(1.0)
    halfway = lr_factor(60, 10, 110, 1 / 30)
    assert halfway == pytest.approx(1 / 30 + (1 - 1 / 30) * 0.5)
    assert all(a >= b for a, b in zip(factors[10:110], factors[11:111]))  # monotone decay
    assert factors[110] == pytest.approx(1 / 30) and factors[199] == pytest.approx(1 / 30)


def test_scheduler_drives_the_optimizer_learning_rate():
    param = torch.nn.Parameter(torch.zeros(1))
    optimizer = torch.optim.AdamW([param], lr=1e-4)
    scheduler = build_scheduler(optimizer, warmup_steps=500, decay_steps=48_000, min_ratio=1 / 30)
    seen = []
    for _ in range(600):
        seen.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        scheduler.step()
    assert seen[0] == pytest.approx(1e-4 / 500) and seen[499] == pytest.approx(1e-4)
    assert seen[599] < 1e-4 and math.isclose(seen[599], 1e-4 * lr_factor(599, 500, 48_000, 1 / 30))
