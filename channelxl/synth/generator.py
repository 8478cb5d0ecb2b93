"""A deterministic synthetic two-tier channel: vendor -> distributors -> resellers.

Same seed and sizes, same channel, byte for byte. Everything is drawn from one
``numpy.random.Generator`` in a fixed order and vectorised, so a million sell-through
lines take seconds. :func:`generate` is the order: each step is a module of this package
that takes what it needs (and the generator) and returns what it makes.

How the numbers hang together (so the checks that run on them have something true to
find; each step's module says more):

- FX rates walk month by month; every local price is a euro price at the month's rate
  (:mod:`~channelxl.synth.fx`).
- Sell-through is drawn first: invoices per distributor and month follow a size share,
  a trend and a seasonal factor; each invoice has 1-4 lines
  (:mod:`~channelxl.synth.sell_through`).
- Each reseller buys from one distributor, or from two splitting the product families
  between them, so in clean data a reseller buys a family from one distributor only
  (:mod:`~channelxl.synth.resellers`).
- Sell-in is then what keeps each distributor x SKU at its target weeks of cover, plus
  a push in the last month of every quarter; inventory follows the identity
  ``closing = opening + sell_in - returns - true sell_through`` exactly, and
  ``closing = on hand + in transit`` (:mod:`~channelxl.synth.sell_in`).
- Targets follow what each distributor really sold (:mod:`~channelxl.synth.enablement`).
- Planted problems are added on top and listed in :attr:`Channel.planted`: an
  exclusivity conflict (:mod:`~channelxl.synth.distributors`), errors in the reported
  sell-through (:mod:`~channelxl.synth.planted`), inventory loaders
  (:mod:`~channelxl.synth.sell_in`) and a late report
  (:mod:`~channelxl.synth.report_arrivals`).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import numpy as np
import pandas as pd

from channelxl.core.periods import Month
from channelxl.synth import (
    distributor_codes,
    distributors,
    edi_styles,
    enablement,
    fx,
    mdf_claims,
    planted,
    products,
    report_arrivals,
    resellers,
    sell_in,
    sell_through,
    vendor_terms,
)
from channelxl.synth.products import FAMILIES
from channelxl.synth.sizes import DEFAULT_SEED, Sizes


@dataclass
class Channel:
    """Everything the generator made; frames use the ledger's field names."""

    sizes: Sizes
    seed: int
    program: dict[str, list[dict]]
    settings: dict[str, object]
    sell_through: pd.DataFrame
    inventory: pd.DataFrame
    shipments: pd.DataFrame
    certifications: pd.DataFrame
    activities: pd.DataFrame
    received: pd.DataFrame  # distributor, period, received_at (when each monthly report came in)
    planted: dict = field(default_factory=dict)
    mdf_claims: pd.DataFrame | None = None  # distributors' MDF claims (decisions: program)

    @property
    def months(self) -> list[Month]:
        first = Month.parse(self.sizes.start)
        return [first + i for i in range(self.sizes.months)]


PLANT_MIN_DISTRIBUTORS = 6


def generate(seed: int = DEFAULT_SEED, sizes: Sizes | None = None) -> Channel:
    """Make a channel. Same ``seed`` and ``sizes``, same channel."""
    sizes = sizes or Sizes()
    if sizes.distributors < 4 or sizes.skus < len(FAMILIES) or sizes.resellers < sizes.distributors:
        raise ValueError("need at least 4 distributors, 10 SKUs and one reseller per distributor")
    if sizes.plant and sizes.distributors < PLANT_MIN_DISTRIBUTORS:
        # the planted exclusivity conflict is between two VADs: every fourth distributor
        # from the second is one
        raise ValueError(
            f"planting the checks' anomalies needs at least {PLANT_MIN_DISTRIBUTORS} "
            "distributors (two value-added distributors)"
        )
    # One generator for every step, drawn from in the order below: reorder the steps, or
    # a draw within one, and every seed makes another channel.
    rng = np.random.default_rng(seed)
    first = Month.parse(sizes.start)
    months = [first + i for i in range(sizes.months)]
    plant = sizes.plant

    rates = fx.draw(rng, months)
    dist = distributors.draw(rng, sizes.distributors, months, plant=plant)
    prods = products.draw(rng, sizes.skus)
    res = resellers.draw(rng, sizes.resellers, dist)
    sales = sell_through.draw(rng, sizes.lines, months, rates, dist, prods, res)
    misreported = planted.misreport(rng, sales, dist, prods, plant=plant)
    stock = sell_in.draw(rng, months, rates, dist, prods, sales.lines, plant=plant)
    riding = planted.free_riding(
        rng, misreported.frame, months, rates, dist, prods, res, sales.customers, plant=plant
    )
    duplicated = planted.duplicate_lines(rng, riding.frame, sales.lines.size, plant=plant)
    shipments = sell_in.cover_extra_sales(stock.shipments, riding.extra_sales, prods)
    settings = vendor_terms.settings()
    arrivals = report_arrivals.draw(rng, months, dist, int(settings["report_due_day"]), plant=plant)
    certifications = enablement.certifications(rng, months, dist, res)
    targets, activities = enablement.targets_and_activities(rng, months, rates, dist, sales.lines)
    # its own random stream: claims change nothing drawn above
    claims, decisions, claims_planted = mdf_claims.draw(seed, months, activities)

    program = program_tables(first, dist, prods, res, targets, rates, decisions)
    return Channel(
        sizes=sizes,
        seed=seed,
        program=program,
        settings=settings,
        sell_through=sell_through.in_report_order(duplicated.frame),
        inventory=stock.inventory,
        shipments=shipments,
        certifications=certifications,
        activities=activities,
        received=arrivals.frame,
        planted={
            **dist.planted,
            **misreported.planted,
            **stock.planted,
            **riding.planted,
            **duplicated.planted,
            **arrivals.planted,
            **claims_planted,
        },
        mdf_claims=claims,
    )


def planted_summary(channel: Channel) -> dict:
    """What was planted, in JSON-ready form (written beside the generated files)."""
    return {"seed": channel.seed, "sizes": asdict(channel.sizes), **channel.planted}


def program_tables(first, dist, prods, res, targets, rates, decisions) -> dict:
    """The program workbook's sheets as rows, from the channel drawn (``first``: its first
    month)."""
    return {
        # from countries and order only, no draws: who reports in EDI, and its EDI ID
        "distributors": edi_styles.with_edi_ids(dist.rows()),
        "territories": dist.territory_rows,
        "products": prods.rows,
        "resellers": res.rows,
        # from indices only, no draws: the codes an EDI file may name things by
        "cross_references": distributor_codes.rows(dist, prods, res),
        "rebate_programs": vendor_terms.rebate_programs(first.first_day),
        "rebate_tiers": vendor_terms.rebate_tiers(),
        "scorecard": vendor_terms.scorecard(),
        "scorecard_payouts": vendor_terms.scorecard_payouts(),
        "targets": targets,
        "fx_rates": rates.rows,
        "mdf_decisions": decisions,
    }
