"""The scale benchmark: the product against Kubernetes' own CronJob controller, at 10,000.

`python -m bench.run` is the one command (see `bench.run`); `tests/bench` runs every
scenario at a small size as part of `make test`, asserting correctness, not speed.
"""
