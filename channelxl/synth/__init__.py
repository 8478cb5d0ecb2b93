"""The synthetic channel: a deterministic two-tier channel for demos, tests and benchmarks."""

from channelxl.synth.files import write_channel
from channelxl.synth.generator import Channel, generate
from channelxl.synth.sizes import DEFAULT_SEED, Sizes

__all__ = ["DEFAULT_SEED", "Channel", "Sizes", "generate", "write_channel"]
