"""channelxl benchmarks: run them with ``python bench/run.py`` (see docs/BENCHMARKS.md).

``run.py`` is the command, ``registry.py`` lists the benchmarks by name, ``common.py`` holds
the shared harness and ``shared_ledger.py`` the benchmark ledger; every other module is one
benchmark, measured against its baseline.
"""
