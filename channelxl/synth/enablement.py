"""Partner enablement: reseller certifications, distributor targets and their activities.

Resellers have 1-4 people each; a person is certified with a probability that belongs to
the reseller's (first) distributor, so certification rates differ by distributor. A
certificate is valid two years.

Quarterly targets follow what the distributor actually sold: the sell-through target is
the quarter's true sell-through in EUR times 0.9-1.15, rounded to thousands, so some
distributors beat it and some miss. Each distributor plans 1-5 demand-generation
activities a quarter, most completed; none in the last month is completed yet. An
activity's cost is drawn in EUR and kept in the distributor's currency; a completed one
claims half of it as MDF.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd

from channelxl.core.periods import Month
from channelxl.schema import ACTIVITY_TYPES
from channelxl.synth.days import month_starts
from channelxl.synth.distributors import Distributors
from channelxl.synth.fx import FxRates
from channelxl.synth.resellers import Resellers
from channelxl.synth.sell_through import Lines
from channelxl.synth.text import dec, names

CERTIFICATION_NAMES = ("Sales Associate", "Technical Specialist", "Solutions Architect")


def certifications(
    rng: np.random.Generator, months: list[Month], dist: Distributors, resellers: Resellers
) -> pd.DataFrame:
    """Certified people, completed from 200 days before the first month to its end."""
    nr, nd, M = resellers.ids.size, dist.count, len(months)
    people = rng.integers(1, 5, nr)
    pr = np.repeat(np.arange(nr), people)
    dist_cert_rate = rng.uniform(0.3, 0.9, nd)
    certified = rng.random(pr.size) < dist_cert_rate[resellers.first[pr]]
    pr_c = pr[certified]
    person_ids = np.flatnonzero(certified)
    done_ord = month_starts(months)[0] - 200 + rng.integers(0, (M * 30) + 200, pr_c.size)
    return pd.DataFrame(
        {
            "reseller_id": resellers.ids[pr_c],
            "person_id": np.char.add("P", (100000 + person_ids).astype(str)),
            "person_name": names(rng, pr_c.size, ""),
            "certification": np.array(CERTIFICATION_NAMES)[
                rng.choice(3, pr_c.size, p=(0.6, 0.3, 0.1))
            ],
            "completed_on": [date.fromordinal(int(x)) for x in done_ord],
            "expires_on": [date.fromordinal(int(x) + 730) for x in done_ord],
        }
    )


def targets_and_activities(
    rng: np.random.Generator,
    months: list[Month],
    fx: FxRates,
    dist: Distributors,
    lines: Lines,
) -> tuple[list[dict], pd.DataFrame]:
    """The program's Targets rows, and the activities export, distributor by quarter."""
    rev_eur = np.zeros((dist.count, len(months)))
    np.add.at(
        rev_eur, (lines.distributor, lines.month), lines.quantity * lines.price * lines.eur_rate
    )
    quarters = sorted({m.quarter for m in months})
    targets, acts = [], []
    act_id = 0
    for i in range(dist.count):
        currency = dist.currencies[i]
        for q in quarters:
            ks = [months.index(m) for m in q.months if m in months]
            actual = rev_eur[i, ks].sum()
            targets.append(
                {
                    "distributor_id": dist.ids[i],
                    "quarter": str(q),
                    "sell_through_target": dec(round(actual * rng.uniform(0.9, 1.15), -3), 2),
                    "new_resellers_target": int(rng.integers(1, 6)),
                    "certification_rate_target": dec(0.6, 2),
                    "demand_gen_activities_target": int(rng.integers(2, 6)),
                }
            )
            for _ in range(int(rng.integers(1, 6))):
                act_id += 1
                k = ks[int(rng.integers(len(ks)))]
                planned = months[k].first_day + timedelta(days=int(rng.integers(0, 27)))
                status = rng.choice(["completed", "completed", "completed", "planned", "cancelled"])
                if months[k] >= months[-1] and status == "completed":
                    status = "planned"
                cost = float(np.round(rng.uniform(2000, 30000) / fx.eur_per_unit(currency, k), 2))
                acts.append(
                    {
                        "activity_id": f"A{act_id:06d}",
                        "distributor_id": dist.ids[i],
                        "activity_type": str(rng.choice(ACTIVITY_TYPES)),
                        "name": f"{q} {rng.choice(['Spring', 'Partner', 'Security', 'Cloud'])!s} push",
                        "planned_date": planned,
                        "completed_date": planned + timedelta(days=int(rng.integers(0, 20)))
                        if status == "completed"
                        else None,
                        "cost": cost,
                        "mdf_claimed": round(cost * 0.5, 2) if status == "completed" else None,
                        "currency": currency,
                        "status": str(status),
                    }
                )
    return targets, pd.DataFrame(acts)
