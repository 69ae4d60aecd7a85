"""Laurel's benchmarks: `make bench` runs bench/run.py; each module also runs alone."""
