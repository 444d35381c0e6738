"""Benchmarks: each `bench/bench_<name>.py` prints its figures; none passes or fails on time."""
