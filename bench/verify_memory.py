"""Benchmark: peak memory of the verifier on the largest accepted input of each hostile shape.

Run from the repository root: `python bench/verify_memory.py` (or `make bench`).
Each shape (tests/verify/hostile.py) is verified offline in a fresh interpreter;
prints the input size, the rise of the peak resident memory, the peak of Python's
own allocations (tracemalloc) and the outcome. tests/verify/test_memory.py asserts
the resident rise stays under 100 MB.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.verify.hostile import SHAPES  # noqa: E402
from tests.verify.hostile import peak_memory  # noqa: E402


def main() -> None:
    print(f"{'shape':<22} {'input':>9} {'RSS rise':>9} {'traced':>8}  outcome")
    with tempfile.TemporaryDirectory() as directory:
        for name, (filename, build) in SHAPES.items():
            path = Path(directory) / filename
            data = build()
            path.write_bytes(data)
            rss = peak_memory(path)
            traced = peak_memory(path, traced=True)
            print(
                f"{name:<22} {len(data) / 2**20:>7.2f}MB {rss['rise_mb']:>7.1f}MB "
                f"{traced['traced_mb']:>6.1f}MB  {rss['outcome'][:70]}",
                flush=True,
            )


if __name__ == "__main__":
    main()
