"""The editor-server load benchmark end to end: a real `prove serve` process with the
default model, a few requests per concurrency level, one printed row per level with its
status mix, and the server's peak RSS."""

from __future__ import annotations

import pytest

from benchmarks.server_load import main


def test_prints_throughput_and_latency_per_concurrency_level(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--clients", "1", "3", "--requests", "2", "--warmup", "1", "model.sampling.max_new_tokens=8"]) == 0
    lines = [line.split() for line in capsys.readouterr().out.splitlines()]
    header = next(i for i, cells in enumerate(lines) if cells[:1] == ["clients"])
    rows = lines[header + 1:header + 3]
    assert [(int(r[0]), int(r[1])) for r in rows] == [(1, 2), (3, 6)]
    rps, p50, p95 = (float(x) for x in rows[1][2:5])
    assert rps > 0 and 0 < p50 <= p95
    assert float(rows[0][6]) == 1.0  # one client: every model call holds one state
    assert [r[7] for r in rows] == ["200:2", "200:6"]  # the status mix: far below the sample bound
    [peak] = [cells for cells in lines if cells[:3] == ["server", "peak", "RSS:"]]
    assert float(peak[3]) > 100 and peak[4] == "MB"  # the server process holds a model


def test_bad_arguments_exit_with_code_2() -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--requests", "0"])
    assert exit_info.value.code == 2
