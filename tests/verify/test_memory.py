"""Bounded memory: the largest accepted input of each hostile shape stays under 100 MB.

Each shape is verified offline in a fresh interpreter (tests/verify/hostile.py), and
the rise of its peak resident memory is asserted. A 9 MB JSON once cost 1.1 GB;
bench/verify_memory.py prints the figures.
"""

from __future__ import annotations

import pytest

from tests.verify.hostile import SHAPES
from tests.verify.hostile import peak_memory

MAX_RISE_MB = 100


@pytest.mark.parametrize("shape", list(SHAPES))
def test_memory_hostile_shape_bounded(shape, tmp_path):
    filename, build = SHAPES[shape]
    path = tmp_path / filename
    path.write_bytes(build())
    measured = peak_memory(path)
    assert measured["rise_mb"] <= MAX_RISE_MB, measured
    outcome = measured["outcome"]
    # Either a verdict (the hostile copy is tampered or its issuer unknown) or a sentence.
    assert outcome in ("not verified", "unknown issuer") or (
        outcome.startswith("refused: ") and outcome.endswith(".")
    ), outcome


def test_memory_over_the_limit_refused_with_reason(tmp_path):
    path = tmp_path / "credential.json"
    path.write_bytes(SHAPES["json-over-the-limit"][1]())
    outcome = peak_memory(path)["outcome"]
    assert "Laurel reads credentials of up to 512 KB" in outcome
