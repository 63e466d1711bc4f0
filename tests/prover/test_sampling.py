"""SamplingParams: vLLM-style validation naming the parameter and value."""

from __future__ import annotations

import pytest

from prover.sampling import SamplingParams, SamplingParamsError


@pytest.mark.parametrize("field, value", [
    ("n", 0), ("n", 2.5), ("temperature", -0.1), ("top_p", 0.0), ("top_p", 1.5),
    ("max_new_tokens", 0), ("stop", ("",)), ("seed", -1),
])
def test_invalid_values_name_the_parameter_and_value(field, value):
    with pytest.raises(SamplingParamsError) as error:
        SamplingParams(**{field: value})
    assert error.value.parameter == field and error.value.value == value
    assert f"{field}={value!r}" in str(error.value)


def test_greedy_with_several_samples_is_an_error():
    with pytest.raises(SamplingParamsError, match="greedy"):
        SamplingParams(n=4, temperature=0.0)
    assert SamplingParams(n=1, temperature=0.0).greedy


def test_with_n_revalidates_and_keeps_the_rest():
    params = SamplingParams(temperature=0.8, top_p=0.9, stop=["\n"], seed=7)
    assert params.stop == ("\n",)
    wider = params.with_n(16)
    assert (wider.n, wider.temperature, wider.top_p, wider.stop, wider.seed) == (16, 0.8, 0.9, ("\n",), 7)
    with pytest.raises(SamplingParamsError, match="n=0"):
        params.with_n(0)


def test_from_config_rejects_unknown_keys():
    assert SamplingParams.from_config({"temperature": 0.5, "stop": ["---"]}).stop == ("---",)
    with pytest.raises(SamplingParamsError, match="temprature"):
        SamplingParams.from_config({"temprature": 0.5})


def test_verify_against_the_model_context():
    SamplingParams(max_new_tokens=64).verify(max_positions=128, prompt_tokens=64)
    with pytest.raises(SamplingParamsError, match="max_new_tokens"):
        SamplingParams(max_new_tokens=64).verify(max_positions=100, prompt_tokens=64)


def test_top_k_zero_is_off_and_a_negative_or_bool_top_k_is_rejected():
    assert SamplingParams().top_k == 0 and SamplingParams(top_k=40).top_k == 40
    for bad in (-1, True, 2.5):
        with pytest.raises(SamplingParamsError, match="top_k"):
            SamplingParams(top_k=bad)


def test_one_seed_rule_fixed_by_the_base_seed_and_the_key():
    params = SamplingParams(seed=7)
    assert params.seed_for("mathd_1") == SamplingParams(seed=7).seed_for("mathd_1")
    assert len({params.seed_for(call) for call in range(100)}) == 100  # no two calls share a stream
    assert params.seed_for(1, 0) != params.seed_for(1, 1) != SamplingParams(seed=8).seed_for(1, 1)
    assert all(0 <= params.seed_for(k) < 2**31 for k in range(100))
    assert SamplingParams(seed=None).seed_for("x") is None
