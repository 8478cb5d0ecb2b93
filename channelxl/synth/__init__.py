"""The synthetic channel: a deterministic two-tier channel for demos, tests and benchmarks."""

from channelxl.synth.files import write_channel
from channelxl.synth.generator import Channel, Sizes, generate

__all__ = ["Channel", "Sizes", "generate", "write_channel"]
