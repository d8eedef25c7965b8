"""The compiled percentiles equal numpy's default ("linear") percentiles exactly."""

from __future__ import annotations

import numpy as np
import pytest

from ketamine_cds.domain.pk.quantiles import percentiles

Q = (5.0, 25.0, 50.0, 75.0, 95.0)
RNG = np.random.default_rng(0)


@pytest.mark.parametrize(
    "values",
    [
        RNG.lognormal(3.0, 1.2, (3, 1001)),
        np.zeros((2, 50)),
        RNG.integers(0, 3, (4, 777)).astype(float),  # many ties
        RNG.random((1, 1)),
        RNG.random((2, 2)),
        np.concatenate([RNG.random((1, 999)), [[1e6]]], axis=1),  # one far outlier
    ],
)
def test_percentiles_equal_numpy(values: np.ndarray):
    """Row by row, the same five percentiles numpy gives (float32 input, as the bands are)."""
    data = values.astype(np.float32)
    expected = np.percentile(data.astype(np.float64), Q, axis=-1)
    assert np.array_equal(percentiles(data, Q), expected)


def test_percentiles_keep_the_leading_axes():
    """(O, T, P) in, (len(q), O, T) out."""
    data = RNG.random((2, 3, 40)).astype(np.float32)
    assert percentiles(data, Q).shape == (5, 2, 3)


def test_non_finite_values_are_refused():
    """A NaN in a band is a bug upstream, not something to rank."""
    with pytest.raises(ValueError, match="finite"):
        percentiles(np.array([[1.0, np.nan]], dtype=np.float32), Q)


@pytest.mark.parametrize(
    "values",
    [
        RNG.lognormal(0.0, 12.0, (3, 5001)),  # a wash-out tail: many orders of magnitude
        RNG.normal(0.0, 1.0, (2, 999)),  # negative values (rounding below zero)
        np.concatenate([np.zeros((1, 600)), -np.zeros((1, 300)), RNG.random((1, 99))], axis=1),
        np.full((1, 4000), 3.25) + np.repeat([[0.0, 1e-6]], 2000, axis=1),  # two close values
    ],
)
def test_percentiles_equal_numpy_over_any_range(values: np.ndarray):
    """Values spanning 10⁻³⁰ to 10³⁰, negative, signed zeros or two close values: still numpy's."""
    data = values.astype(np.float32)
    expected = np.percentile(data.astype(np.float64), Q, axis=-1)
    assert np.array_equal(percentiles(data, Q), expected)
