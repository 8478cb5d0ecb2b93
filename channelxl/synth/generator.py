"""A deterministic synthetic two-tier channel: vendor -> distributors -> resellers.

Same seed and sizes, same channel, byte for byte. Everything is drawn from one
``numpy.random.Generator`` in a fixed order and vectorised, so a million sell-through
lines take seconds.

How the numbers hang together (so the checks that run on them have something true to
find):

- Sell-through is drawn first: invoices per distributor and month follow a size share,
  a trend and a seasonal factor; each invoice has 1-4 lines.
- Each reseller buys from one distributor, or from two splitting the product families
  between them (even families from the first, odd from the second), so in clean data a
  reseller buys a family from one distributor only.
- Sell-in is then what keeps each distributor x SKU at its target weeks of cover, plus
  a push in the last month of every quarter; inventory follows the identity
  ``closing = opening + sell_in - returns - true sell_through`` exactly, and
  ``closing = on hand + in transit``.
- Planted problems are added on top and listed in :attr:`Channel.planted`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta

import numpy as np
import pandas as pd

from channelxl.core.periods import Month
from channelxl.synth.sizes import DEFAULT_SEED, Sizes

# country, currency, locale, market weight, euro value of one unit of the currency
COUNTRIES = (
    ("US", "USD", "en_US", 10, 0.92),
    ("CA", "CAD", "en_CA", 3, 0.68),
    ("MX", "MXN", "es_MX", 2, 0.052),
    ("BR", "BRL", "pt_BR", 2, 0.17),
    ("GB", "GBP", "en_GB", 5, 1.17),
    ("IE", "EUR", "en_IE", 1, 1.0),
    ("DE", "EUR", "de_DE", 6, 1.0),
    ("AT", "EUR", "de_AT", 1.5, 1.0),
    ("CH", "CHF", "de_CH", 2, 1.05),
    ("FR", "EUR", "fr_FR", 5, 1.0),
    ("BE", "EUR", "nl_BE", 1.5, 1.0),
    ("NL", "EUR", "nl_NL", 2.5, 1.0),
    ("ES", "EUR", "es_ES", 3, 1.0),
    ("IT", "EUR", "it_IT", 3.5, 1.0),
    ("PL", "PLN", "pl_PL", 2, 0.23),
    ("SE", "SEK", "sv_SE", 1.5, 0.088),
    ("DK", "DKK", "da_DK", 1, 0.134),
    ("AU", "AUD", "en_AU", 2.5, 0.60),
    ("JP", "JPY", "ja_JP", 4, 0.0062),
    ("SG", "SGD", "en_SG", 1.5, 0.69),
    ("IN", "INR", "en_IN", 2, 0.011),
)
REPORTING_CURRENCY = "EUR"
NO_CENTS = {"JPY"}  # currencies priced in whole units
TYPES = ("broadline", "vad", "regional", "cloud")
SEGMENTS = ("enterprise", "midmarket", "smb", "public")
SEGMENT_WEIGHTS = (0.25, 0.35, 0.32, 0.08)
FAMILIES = (
    ("Switches", 1800),
    ("Routers", 2600),
    ("Firewalls", 3200),
    ("Wireless", 450),
    ("Storage", 5200),
    ("Servers", 6400),
    ("Endpoint Security", 60),
    ("Cloud Backup", 120),
    ("Collaboration", 350),
    ("Support Services", 900),
)
CERTIFICATIONS = ("Sales Associate", "Technical Specialist", "Solutions Architect")
# Seasonal factor by calendar month: a strong Q4, a soft Q1 and summer.
SEASON = np.array([0.85, 0.9, 1.05, 0.95, 1.0, 1.05, 0.85, 0.8, 1.05, 1.05, 1.15, 1.3])
QUARTER_END_PUSH = 1.35  # sell-in in the last month of a quarter vs the steady rule
_WORDS_A = (
    "Alpine",
    "Blue",
    "Cedar",
    "Delta",
    "Eagle",
    "First",
    "Golden",
    "Harbor",
    "Iron",
    "Jade",
    "Keystone",
    "Lumen",
    "Metro",
    "North",
    "Oak",
    "Pioneer",
    "Quartz",
    "River",
    "Summit",
    "Tower",
    "Union",
    "Vertex",
    "West",
    "Zenith",
)
_WORDS_B = (
    "Systems",
    "Networks",
    "Solutions",
    "Data",
    "Logistics",
    "Health",
    "Retail",
    "Foods",
    "Energy",
    "Media",
    "Works",
    "Partners",
    "Labs",
    "Group",
    "Digital",
    "Tech",
)


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

    @property
    def months(self) -> list[Month]:
        first = Month.parse(self.sizes.start)
        return [first + i for i in range(self.sizes.months)]


def _names(rng: np.random.Generator, n: int, suffix: str) -> np.ndarray:
    a = rng.integers(0, len(_WORDS_A), n)
    b = rng.integers(0, len(_WORDS_B), n)
    out = np.char.add(np.char.add(np.array(_WORDS_A)[a], " "), np.array(_WORDS_B)[b])
    return np.char.add(out, suffix) if suffix else out


def _ids(prefix: str, n: int, width: int) -> np.ndarray:
    return np.array([f"{prefix}{i:0{width}d}" for i in range(1, n + 1)])


def generate(seed: int = DEFAULT_SEED, sizes: Sizes | None = None) -> Channel:
    """Make a channel. Same ``seed`` and ``sizes``, same channel."""
    sizes = sizes or Sizes()
    if sizes.distributors < 4 or sizes.skus < len(FAMILIES) or sizes.resellers < sizes.distributors:
        raise ValueError("need at least 4 distributors, 10 SKUs and one reseller per distributor")
    rng = np.random.default_rng(seed)
    first = Month.parse(sizes.start)
    months = [first + i for i in range(sizes.months)]
    M = len(months)
    planted: dict = {}

    # ---------------------------------------------------------------- FX
    fx = {}
    fx_rows = []
    for _, cur, _, _, eur in COUNTRIES:
        if cur in fx or cur == REPORTING_CURRENCY:
            continue
        walk = np.exp(np.cumsum(rng.normal(0, 0.012, M + 1)))
        fx[cur] = np.round(eur * walk, 8)
        for k, mo in enumerate([first + -1, *months]):
            fx_rows.append({"currency": cur, "month": str(mo), "rate": _dec(fx[cur][k], 8)})

    def eur_per_unit(cur: str, k: np.ndarray | int):
        """EUR value of one unit of ``cur`` in month index k (0 = first month)."""
        return 1.0 if cur == REPORTING_CURRENCY else fx[cur][np.asarray(k) + 1]

    # ---------------------------------------------------------------- distributors
    nd = sizes.distributors
    dist_ids = _ids("D", nd, 3)
    d_type = np.array([TYPES[i % 4] for i in range(nd)])
    country_idx = np.arange(nd) % len(COUNTRIES)
    d_country = np.array([COUNTRIES[i][0] for i in country_idx])
    d_currency = np.array([COUNTRIES[i][1] for i in country_idx])
    d_locale = np.array([COUNTRIES[i][2] for i in country_idx])
    d_share = rng.lognormal(0, 0.6, nd) * np.array([COUNTRIES[i][3] for i in country_idx]) ** 0.5
    d_share /= d_share.sum()
    d_trend = rng.normal(0.008, 0.01, nd)  # monthly growth
    d_names = np.char.add(_names(rng, nd, ""), " Distribution")
    start_day = first.first_day
    territory_rows = []
    covers: list[set[str]] = []
    for i in range(nd):
        home = d_country[i]
        cover = [home]
        if d_type[i] == "broadline":
            extra = rng.choice(len(COUNTRIES), 2, replace=False)
            cover += [COUNTRIES[j][0] for j in extra if COUNTRIES[j][0] != home]
        covers.append(set(cover))
        for c in cover:
            territory_rows.append(
                {
                    "distributor_id": dist_ids[i],
                    "country": c,
                    "segment": "*",
                    "exclusive": "N",
                    "valid_from": start_day,
                    "valid_to": None,
                }
            )
    planted_conflict = None
    if sizes.plant:
        # Two VADs both given exclusive rights to the public sector of a country neither
        # otherwise covers, over overlapping dates: the vendor broke its own exclusivity.
        vads = [i for i in range(nd) if d_type[i] == "vad"][:2]
        taken = covers[vads[0]] | covers[vads[1]]
        target = next(c[0] for c in COUNTRIES[::-1] if c[0] not in taken)
        a_from, b_from = months[min(2, M - 1)].first_day, months[min(8, M - 1)].first_day
        b_to = months[min(17, M - 1)].last_day
        for i, (vf, vt) in zip(vads, ((a_from, None), (b_from, b_to)), strict=True):
            territory_rows.append(
                {
                    "distributor_id": dist_ids[i],
                    "country": target,
                    "segment": "public",
                    "exclusive": "Y",
                    "valid_from": vf,
                    "valid_to": vt,
                }
            )
        planted_conflict = {
            "distributors": [str(dist_ids[i]) for i in vads],
            "country": target,
            "segment": "public",
            "overlap_from": str(b_from),
            "overlap_to": str(b_to),
        }
        planted["exclusive_conflict"] = planted_conflict

    # ---------------------------------------------------------------- products
    ns = sizes.skus
    fam_idx = np.arange(ns) % len(FAMILIES)
    base = np.array([FAMILIES[f][1] for f in fam_idx], dtype=float)
    list_price = np.round(base * rng.lognormal(0, 0.35, ns), 0)
    dist_price = np.round(list_price * rng.uniform(0.68, 0.74, ns), 2)
    floor_price = np.round(list_price * 0.80, 2)
    active = np.ones(ns, dtype=bool)
    # a few end-of-life SKUs nobody sells any more; every family keeps its first SKU active
    retired = min(max(1, ns // 40), ns - len(FAMILIES))
    if retired:
        active[-retired:] = False
    skus = np.array([f"{FAMILIES[f][0][:3].upper()}-{i + 1:04d}" for i, f in enumerate(fam_idx)])
    sku_pop = rng.lognormal(0, 1.0, ns) * active
    products = [
        {
            "sku": skus[i],
            "name": f"{FAMILIES[fam_idx[i]][0]} model {i + 1}",
            "family": FAMILIES[fam_idx[i]][0],
            "list_price": _dec(list_price[i], 2),
            "distributor_price": _dec(dist_price[i], 2),
            "floor_price": _dec(floor_price[i], 2),
            "active": "Y" if active[i] else "N",
        }
        for i in range(ns)
    ]

    # ---------------------------------------------------------------- resellers
    nr = sizes.resellers
    covered = sorted(
        {c for cov in covers for c in cov if c in set(d_country)} | set(d_country.tolist())
    )
    w = np.array([dict((c[0], c[3]) for c in COUNTRIES)[c] for c in covered], dtype=float)
    r_country = np.array(covered)[rng.choice(len(covered), nr, p=w / w.sum())]
    # every distributor gets at least one reseller in its home country
    r_country[:nd] = d_country
    serving = {c: [i for i in range(nd) if c in covers[i]] for c in covered}
    r_auth1 = np.empty(nr, dtype=int)
    r_auth2 = np.full(nr, -1)
    two = rng.random(nr) < 0.22
    for r in range(nr):
        options = serving[r_country[r]]
        if r < nd:
            r_auth1[r] = r
        else:
            r_auth1[r] = options[rng.integers(len(options))]
        if two[r] and len(options) > 1:
            others = [o for o in options if o != r_auth1[r]]
            r_auth2[r] = others[rng.integers(len(others))]
    reseller_ids = _ids("R", nr, 5)
    r_names = _names(rng, nr, "")
    r_names = np.char.add(r_names, np.where(rng.random(nr) < 0.5, " GmbH", " Ltd"))
    r_names = np.where(
        np.isin(r_country, ["US", "CA", "AU", "SG", "IN"]),
        np.char.replace(r_names, " GmbH", " Inc"),
        r_names,
    )
    r_pop = rng.pareto(1.5, nr) + 0.2
    resellers = [
        {
            "reseller_id": reseller_ids[r],
            "name": str(r_names[r]),
            "country": r_country[r],
            "authorized_distributors": tuple(
                str(dist_ids[x]) for x in (r_auth1[r], r_auth2[r]) if x >= 0
            ),
        }
        for r in range(nr)
    ]

    # ---------------------------------------------------------------- sell-through invoices
    lines_per_invoice = 1.7
    month_idx = np.arange(M)
    season = SEASON[[m.month - 1 for m in months]]
    weight = d_share[:, None] * season[None, :] * np.exp(d_trend[:, None] * month_idx[None, :])
    expected_invoices = weight / weight.sum() * sizes.lines / lines_per_invoice
    n_inv = rng.poisson(expected_invoices)  # (nd, M)
    inv_d = np.repeat(np.repeat(np.arange(nd), M), n_inv.ravel())
    inv_m = np.repeat(np.tile(month_idx, nd), n_inv.ravel())
    ni = inv_d.size
    # reseller: among those buying from the distributor, weighted by popularity
    buyers = [np.flatnonzero((r_auth1 == d) | (r_auth2 == d)) for d in range(nd)]
    inv_r = np.empty(ni, dtype=int)
    order = np.argsort(inv_d, kind="stable")
    counts = np.bincount(inv_d, minlength=nd)
    pos = 0
    for d in range(nd):
        k = counts[d]
        if k:
            p = r_pop[buyers[d]]
            inv_r[order[pos : pos + k]] = buyers[d][rng.choice(len(buyers[d]), k, p=p / p.sum())]
        pos += k
    days_in = np.array([(m + 1).first_day.toordinal() - m.first_day.toordinal() for m in months])
    inv_day = (rng.random(ni) * days_in[inv_m]).astype(int)
    first_ord = np.array([m.first_day.toordinal() for m in months])
    inv_date_ord = first_ord[inv_m] + inv_day
    inv_seg = rng.choice(len(SEGMENTS), ni, p=SEGMENT_WEIGHTS)
    inv_cust_country = r_country[inv_r].copy()
    cust_pool = _names(rng, max(200, nr * 3), " Corp")
    inv_cust = rng.integers(0, cust_pool.size, ni)
    n_lines = 1 + np.minimum(rng.poisson(lines_per_invoice - 1, ni), 3)

    # ---------------------------------------------------------------- lines
    li = np.repeat(np.arange(ni), n_lines)
    nl = li.size
    d_of = inv_d[li]
    r_of = inv_r[li]
    m_of = inv_m[li]
    nfam = len(FAMILIES)
    # family: a reseller with two distributors buys even families from the first, odd
    # from the second; otherwise any family
    fam = rng.integers(0, nfam, nl)
    split = r_auth2[r_of] >= 0
    parity = np.where(d_of == r_auth1[r_of], 0, 1)
    fam = np.where(split, (fam // 2) * 2 + parity, fam)  # FAMILIES has an even count
    # SKU within the family, by popularity
    sku_of = np.empty(nl, dtype=int)
    for f in range(nfam):
        members = np.flatnonzero((fam_idx == f) & active)
        sel = np.flatnonzero(fam == f)
        p = sku_pop[members] / sku_pop[members].sum()
        sku_of[sel] = members[rng.choice(members.size, sel.size, p=p)]
    qty = 1 + rng.poisson(np.clip(3000 / list_price[sku_of], 0.3, 25))
    cur_of = d_currency[d_of]
    eur_rate = np.ones(nl)
    for cur in fx:
        sel = cur_of == cur
        eur_rate[sel] = fx[cur][m_of[sel] + 1]
    resale_eur = list_price[sku_of] * rng.uniform(0.84, 0.95, nl)
    price = resale_eur / eur_rate
    price = np.where(np.isin(cur_of, list(NO_CENTS)), np.round(price, 0), np.round(price, 2))
    inv_seq = np.zeros(ni, dtype=int)
    # invoice numbers run per distributor in date order
    by_d_date = np.lexsort((inv_date_ord, inv_d))
    seq = np.arange(ni) - np.repeat(np.cumsum(counts) - counts, counts)
    inv_seq[by_d_date] = seq + 1
    line_no = np.arange(nl) - np.repeat(np.cumsum(n_lines) - n_lines, n_lines) + 1
    deal = np.where(
        (inv_seg[li] == 0) & (rng.random(nl) < 0.4),
        np.char.add("DR-", (rng.integers(10000, 99999, nl)).astype(str)),
        "",
    )
    st = pd.DataFrame(
        {
            "distributor_id": dist_ids[d_of],
            "period": np.array([str(m) for m in months])[m_of],
            "invoice_date": pd.to_datetime(
                inv_date_ord[li] - date(1970, 1, 1).toordinal(), unit="D"
            ),
            "invoice_number": np.char.add(
                np.char.add(dist_ids[d_of], "-"), np.char.zfill(inv_seq[li].astype(str), 6)
            ),
            "invoice_line": line_no,
            "reseller_id": reseller_ids[r_of],
            "reseller_name": r_names[r_of],
            "reseller_country": r_country[r_of],
            "end_customer_name": cust_pool[inv_cust[li]],
            "end_customer_country": inv_cust_country[li],
            "end_customer_segment": np.array(SEGMENTS)[inv_seg[li]],
            "sku": skus[sku_of],
            "quantity": qty,
            "unit_price": price,
            "currency": cur_of,
            "deal_registration_id": deal,
        }
    )
    st["invoice_date"] = st["invoice_date"].dt.date

    # ---------------------------------------------------------------- planted in sell-through
    if sizes.plant:
        # out of territory: end customer in a country the distributor does not cover
        k = max(5, nl // 400)
        pick = np.sort(rng.choice(nl, k, replace=False))
        foreign = []
        for j in pick:
            d = d_of[j]
            choices = [
                c[0]
                for c in COUNTRIES
                if c[0] not in covers[d] and c[0] != (planted_conflict or {}).get("country")
            ]
            foreign.append(choices[rng.integers(len(choices))])
        st.loc[pick, "end_customer_country"] = foreign
        planted["out_of_territory"] = _keys(st, pick)
        # below floor: resale price under the floor price
        k = max(5, nl // 500)
        pick = np.sort(rng.choice(np.setdiff1d(np.arange(nl), pick), k, replace=False))
        low = floor_price[sku_of[pick]] * rng.uniform(0.70, 0.92, k) / eur_rate[pick]
        st.loc[pick, "unit_price"] = np.where(
            np.isin(cur_of[pick], list(NO_CENTS)), np.floor(low), np.floor(low * 100) / 100
        )
        planted["below_floor"] = _keys(st, pick)

    true_sales = st  # inventory follows what really sold; duplicates below are report errors

    # ---------------------------------------------------------------- sell-in and inventory
    st_units = np.zeros((nd, ns, M))
    np.add.at(st_units, (d_of, sku_of, m_of), qty)
    loaders: list[int] = []
    cover_weeks = rng.uniform(4.0, 7.0, nd)
    cover = np.repeat(cover_weeks[:, None], M, axis=1)
    if sizes.plant:
        in_conflict = {int(x[1:]) - 1 for x in planted_conflict["distributors"]}
        candidates = [i for i in range(nd) if i not in in_conflict]
        loaders = sorted(rng.choice(candidates, min(3, len(candidates)), replace=False).tolist())
        ramp_start = max(0, M - 9)
        for i in loaders:
            cover[i, ramp_start:] = cover_weeks[i] * np.linspace(1.5, 7.0, M - ramp_start)
    # The forecast a vendor plans on: this month's demand blended with the trailing
    # three months, so stock follows recent demand and slow SKUs run down.
    cum = np.cumsum(st_units, axis=2)
    lagged = np.concatenate([np.zeros((nd, ns, 3)), cum[:, :, :-3]], axis=2)
    trailing = (cum - lagged) / np.minimum(np.arange(1, M + 1), 3)
    smooth = 0.5 * st_units + 0.5 * trailing
    target_stock = np.floor(smooth * cover[:, None, :] / 4.33)  # slow movers carry none
    quarter_end = np.array([m.month % 3 == 0 for m in months])
    loading = np.isin(np.arange(nd), loaders)
    opening0 = target_stock[:, :, 0]
    sell_in = np.zeros_like(st_units)
    returns = np.zeros_like(st_units)
    closing = np.zeros_like(st_units)
    opening = opening0.copy()
    for m in range(M):
        want = target_stock[:, :, m] * (QUARTER_END_PUSH if quarter_end[m] else 1.0)
        need = np.ceil(np.maximum(0, want + st_units[:, :, m] - opening))  # whole units
        # ship in whole cases of 5 where the quantity is large: real orders are lumpy
        need = np.where(need > 20, np.ceil(need / 5) * 5, need)
        sell_in[:, :, m] = need
        after = opening + need - st_units[:, :, m]
        # stock rotation: a distributor sends back what sits far above its target (loaders
        # keep theirs), now and then; plus the odd return of part of a large stock
        surplus = after - target_stock[:, :, m]
        rotate = (surplus > target_stock[:, :, m] + 2) & (rng.random((nd, ns)) < 0.3)
        rotate &= ~loading[:, None]
        odd = (rng.random((nd, ns)) < 0.004) & (after > 10)
        returns[:, :, m] = np.where(rotate, surplus, np.where(odd, np.floor(after * 0.2), 0))
        closing[:, :, m] = after - returns[:, :, m]
        opening = closing[:, :, m]
    assert (closing >= 0).all()

    # inventory reports: the month before the first (the opening balance) and every month
    inv_months = [first + -1, *months]
    stock = np.concatenate([opening0[:, :, None], closing], axis=2)  # (nd, ns, M+1)
    carried = (stock > 0) | (np.concatenate([np.zeros((nd, ns, 1)), sell_in], axis=2) > 0)
    di, si, mi = np.nonzero(carried)
    total = stock[di, si, mi]
    in_transit = np.where(
        (rng.random(total.size) < 0.05) & (total > 4),
        np.floor(total * rng.uniform(0.1, 0.4, total.size)),
        0,
    )
    inventory = pd.DataFrame(
        {
            "distributor_id": dist_ids[di],
            "period": np.array([str(m) for m in inv_months])[mi],
            "sku": skus[si],
            "on_hand": (total - in_transit).astype(np.int64),
            "in_transit": in_transit.astype(np.int64),
        }
    )

    # shipment lines: each distributor x SKU x month with sell-in becomes 1-3 order lines
    di, si, mi = np.nonzero(sell_in)
    q = sell_in[di, si, mi].astype(np.int64)
    parts = np.minimum(1 + (q > 30) + (q > 120), 3)
    parts = np.minimum(parts, q)
    rep = np.repeat(np.arange(q.size), parts)
    part_no = np.arange(rep.size) - np.repeat(np.cumsum(parts) - parts, parts)
    base_q = q[rep] // parts[rep]
    part_q = base_q + np.where(part_no == 0, q[rep] - base_q * parts[rep], 0)
    sm = mi[rep]
    late = quarter_end[sm] & (rng.random(rep.size) < 0.7)
    ship_day = np.where(
        late, days_in[sm] - 1 - rng.integers(0, 8, rep.size), rng.integers(0, 28, rep.size)
    )
    ship_ord = first_ord[sm] + ship_day
    cur = d_currency[di[rep]]
    rate = np.ones(rep.size)
    for c in fx:
        sel = cur == c
        rate[sel] = fx[c][sm[sel] + 1]
    sp = dist_price[si[rep]] / rate
    sp = np.where(np.isin(cur, list(NO_CENTS)), np.round(sp, 0), np.round(sp, 2))
    ret_d, ret_s, ret_m = np.nonzero(returns)
    ship = pd.DataFrame(
        {
            "ship_ord": np.concatenate([ship_ord, first_ord[ret_m] + 27]),
            "distributor_id": np.concatenate([dist_ids[di[rep]], dist_ids[ret_d]]),
            "sku": np.concatenate([skus[si[rep]], skus[ret_s]]),
            "quantity": np.concatenate([part_q, returns[ret_d, ret_s, ret_m].astype(np.int64)]),
            "unit_price": np.concatenate(
                [
                    sp,
                    np.round(
                        dist_price[ret_s]
                        / np.array(
                            [
                                eur_per_unit(d_currency[d], m)
                                for d, m in zip(ret_d, ret_m, strict=True)
                            ]
                        ),
                        2,
                    ),
                ]
            ),
            "currency": np.concatenate([cur, d_currency[ret_d]]),
            "type": np.concatenate([np.full(rep.size, "shipment"), np.full(ret_d.size, "return")]),
        }
    )
    ship = ship.sort_values(["ship_ord", "distributor_id", "sku"], kind="stable").reset_index(
        drop=True
    )
    orders = ship.groupby(["ship_ord", "distributor_id"], sort=False).ngroup().to_numpy()
    ship.insert(0, "order_number", np.char.add("SO", (100000 + orders).astype(str)))
    ship.insert(1, "order_line", ship.groupby(orders).cumcount().to_numpy() + 1)
    ship.insert(
        2,
        "ship_date",
        pd.to_datetime(ship.pop("ship_ord") - date(1970, 1, 1).toordinal(), unit="D").dt.date,
    )
    planted["quarter_end_push"] = QUARTER_END_PUSH
    planted["seasonality"] = {str(i + 1): float(s) for i, s in enumerate(SEASON)}
    planted["inventory_loaders"] = [str(dist_ids[i]) for i in loaders]

    # ---------------------------------------------------------------- more planted sell-through
    if sizes.plant:
        # free-riding: resellers with two distributors buying one family from both in a quarter
        multi = np.flatnonzero(r_auth2 >= 0)
        riders, extra_rows = [], []
        quarters = sorted({m.quarter for m in months})
        f = 0  # an even family: in clean data bought from the first distributor only
        family_skus = np.flatnonzero((fam_idx == f) & active)
        family_names = set(skus[family_skus])

        def rider_line(r: int, d: int, mk: int, day: int, invoice: str) -> dict:
            s = family_skus[rng.integers(family_skus.size)]
            cents = 0 if d_currency[d] in NO_CENTS else 2
            return {
                "distributor_id": dist_ids[d],
                "period": str(months[mk]),
                "invoice_date": months[mk].first_day + timedelta(days=day),
                "invoice_number": invoice,
                "invoice_line": 1,
                "reseller_id": reseller_ids[r],
                "reseller_name": str(r_names[r]),
                "reseller_country": r_country[r],
                "end_customer_name": str(cust_pool[0]),
                "end_customer_country": r_country[r],
                "end_customer_segment": "midmarket",
                "sku": skus[s],
                "quantity": 2,
                "unit_price": round(
                    float(list_price[s] * 0.9 / eur_per_unit(d_currency[d], mk)), cents
                ),
                "currency": d_currency[d],
                "deal_registration_id": "",
            }

        for r in rng.choice(multi, min(5, multi.size), replace=False):
            q_pick = quarters[rng.integers(len(quarters))]
            ks = [months.index(m) for m in q_pick.months if m in months]
            mk = ks[len(ks) // 2]
            first_d, second_d = r_auth1[r], r_auth2[r]
            q_months = {str(months[k]) for k in ks}
            bought = st[
                (st.reseller_id == reseller_ids[r])
                & st.period.isin(q_months)
                & (st.distributor_id == dist_ids[first_d])
                & st.sku.isin(family_names)
            ]
            if bought.empty:  # make sure the usual distributor sold the family that quarter
                extra_rows.append(rider_line(r, first_d, mk, 4, f"{dist_ids[first_d]}-FR{r}A"))
            for n_extra in range(2):
                extra_rows.append(
                    rider_line(
                        r, second_d, mk, 10 + n_extra, f"{dist_ids[second_d]}-FR{r}{n_extra}"
                    )
                )
            riders.append(
                {
                    "reseller_id": str(reseller_ids[r]),
                    "family": FAMILIES[f][0],
                    "country": str(r_country[r]),
                    "quarter": str(q_pick),
                    "distributors": sorted([str(dist_ids[first_d]), str(dist_ids[second_d])]),
                }
            )
        planted["free_riding"] = riders
        st = pd.concat([st, pd.DataFrame(extra_rows)], ignore_index=True)
        # duplicate invoice lines: the same line reported twice
        k = max(5, nl // 1000)
        pick = np.sort(rng.choice(nl, k, replace=False))
        dup = st.iloc[pick]
        planted["duplicate_lines"] = _keys(st, pick)
        st = pd.concat([st, dup], ignore_index=True)
    st = st.sort_values(
        ["distributor_id", "period", "invoice_date", "invoice_number", "invoice_line"],
        kind="stable",
    ).reset_index(drop=True)
    # The free-riding extra sales are real sales; add them to the stock they came from by
    # counting them as sold from stock the vendor shipped the same day (no net change).
    if sizes.plant:
        for row in extra_rows:
            ship = pd.concat(
                [
                    ship,
                    pd.DataFrame(
                        [
                            {
                                "order_number": f"SO-FR-{row['invoice_number']}",
                                "order_line": 1,
                                "ship_date": row["invoice_date"] - timedelta(days=3),
                                "distributor_id": row["distributor_id"],
                                "sku": row["sku"],
                                "quantity": row["quantity"],
                                "unit_price": float(
                                    dist_price[np.flatnonzero(skus == row["sku"])[0]]
                                ),
                                "currency": row["currency"],
                                "type": "shipment",
                            }
                        ]
                    ),
                ],
                ignore_index=True,
            )
        del true_sales

    # ---------------------------------------------------------------- when reports came in
    settings = {
        "reporting_currency": REPORTING_CURRENCY,
        "fiscal_year_start_month": 1,
        "tolerance_units": 2,
        "tolerance_percent": "0.02",
        "report_due_day": 10,
    }
    due_day = int(settings["report_due_day"])
    rec_d = np.repeat(np.arange(nd), M)
    rec_m = np.tile(np.arange(M), nd)
    lag = rng.integers(1, due_day - 1, rec_d.size)  # days into the next month, before due
    received = pd.DataFrame(
        {
            "distributor_id": dist_ids[rec_d],
            "period": np.array([str(m) for m in months])[rec_m],
            "received_at": [
                datetime.combine(
                    (months[m] + 1).first_day + timedelta(days=int(x) - 1), datetime.min.time()
                ).replace(hour=9)
                for m, x in zip(rec_m, lag, strict=True)
            ],
        }
    )
    if sizes.plant:
        j = int(rng.integers(0, received.shape[0]))
        due = (months[rec_m[j]] + 1).first_day.replace(day=due_day)
        received.loc[j, "received_at"] = datetime.combine(
            due + timedelta(days=9), datetime.min.time()
        ).replace(hour=16)
        planted["late_report"] = {
            "distributor_id": str(received.distributor_id[j]),
            "period": str(received.period[j]),
            "due": str(due),
            "received_at": received.received_at[j].isoformat(),
        }

    # ---------------------------------------------------------------- certifications
    people = rng.integers(1, 5, nr)
    pr = np.repeat(np.arange(nr), people)
    dist_cert_rate = rng.uniform(0.3, 0.9, nd)
    certified = rng.random(pr.size) < dist_cert_rate[r_auth1[pr]]
    pr_c = pr[certified]
    person_ids = np.flatnonzero(certified)
    done_ord = first_ord[0] - 200 + rng.integers(0, (M * 30) + 200, pr_c.size)
    certs = pd.DataFrame(
        {
            "reseller_id": reseller_ids[pr_c],
            "person_id": np.char.add("P", (100000 + person_ids).astype(str)),
            "person_name": _names(rng, pr_c.size, ""),
            "certification": np.array(CERTIFICATIONS)[rng.choice(3, pr_c.size, p=(0.6, 0.3, 0.1))],
            "completed_on": [date.fromordinal(int(x)) for x in done_ord],
            "expires_on": [date.fromordinal(int(x) + 730) for x in done_ord],
        }
    )

    # ---------------------------------------------------------------- targets and activities
    rev_eur = np.zeros((nd, M))
    np.add.at(rev_eur, (d_of, m_of), qty * price * eur_rate)
    quarters = sorted({m.quarter for m in months})
    targets, acts = [], []
    act_id = 0
    for i in range(nd):
        for q in quarters:
            ks = [months.index(m) for m in q.months if m in months]
            actual = rev_eur[i, ks].sum()
            targets.append(
                {
                    "distributor_id": dist_ids[i],
                    "quarter": str(q),
                    "sell_through_target": _dec(round(actual * rng.uniform(0.9, 1.15), -3), 2),
                    "new_resellers_target": int(rng.integers(1, 6)),
                    "certification_rate_target": _dec(0.6, 2),
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
                cost = float(np.round(rng.uniform(2000, 30000) / eur_per_unit(d_currency[i], k), 2))
                acts.append(
                    {
                        "activity_id": f"A{act_id:06d}",
                        "distributor_id": dist_ids[i],
                        "activity_type": str(
                            rng.choice(["campaign", "event", "webinar", "training", "promotion"])
                        ),
                        "name": f"{q} {rng.choice(['Spring', 'Partner', 'Security', 'Cloud'])!s} push",
                        "planned_date": planned,
                        "completed_date": planned + timedelta(days=int(rng.integers(0, 20)))
                        if status == "completed"
                        else None,
                        "cost": cost,
                        "mdf_claimed": round(cost * 0.5, 2) if status == "completed" else None,
                        "currency": d_currency[i],
                        "status": str(status),
                    }
                )

    program = {
        "distributors": [
            {
                "distributor_id": dist_ids[i],
                "name": str(d_names[i]),
                "type": d_type[i],
                "country": d_country[i],
                "currency": d_currency[i],
                "locale": d_locale[i],
            }
            for i in range(nd)
        ],
        "territories": territory_rows,
        "products": products,
        "resellers": resellers,
        "rebate_programs": _programs(start_day),
        "rebate_tiers": _tiers(),
        "scorecard": [
            {"program_id": "P-ST", "metric": m, "weight": w}
            for m, w in (
                ("sell_through", "0.5"),
                ("new_resellers", "0.2"),
                ("certification", "0.2"),
                ("demand_gen", "0.1"),
            )
        ],
        "scorecard_payouts": [
            {"program_id": "P-ST", "min_score": a, "payout": b}
            for a, b in (("0", "0.5"), ("0.7", "0.8"), ("0.9", "1"), ("1.1", "1.1"))
        ],
        "targets": targets,
        "fx_rates": fx_rows,
    }
    return Channel(
        sizes,
        seed,
        program,
        settings,
        st,
        inventory,
        ship,
        certs,
        pd.DataFrame(acts),
        received,
        planted,
    )


def _dec(x: float, places: int) -> str:
    """Text form of a rounded figure; the readers turn it into an exact Decimal."""
    return f"{x:.{places}f}"


def _keys(frame: pd.DataFrame, rows: np.ndarray) -> list[dict]:
    sub = frame.iloc[rows]
    return [
        {"distributor_id": a, "invoice_number": b, "invoice_line": int(c)}
        for a, b, c in zip(sub.distributor_id, sub.invoice_number, sub.invoice_line, strict=True)
    ]


def _programs(start: date) -> list[dict]:
    return [
        {
            "program_id": "P-ST",
            "name": "Sell-through growth rebate",
            "applies_to": "*",
            "measure": "revenue",
            "method": "retroactive",
            "min_certification_rate": "0.4",
            "require_on_time_reports": "Y",
            "cap": "250000",
            "hold_max_weeks_of_supply": "26",
            "hold_max_sell_in_ratio": "1.6",
            "mdf_rate": "0.01",
            "attainment_cap": "1.2",
            "valid_from": start,
        },
        {
            "program_id": "P-VAD",
            "name": "VAD solutions bonus",
            "applies_to": "vad",
            "measure": "growth",
            "method": "incremental",
            "growth_basis": "increment",
            "valid_from": start,
        },
        {
            "program_id": "P-CLOUD",
            "name": "Cloud units incentive",
            "applies_to": "cloud",
            "measure": "units",
            "method": "incremental",
            "valid_from": start,
        },
    ]


def _tiers() -> list[dict]:
    rows = []
    for pid, tiers in (
        (
            "P-ST",
            (
                (0, "0", "Base"),
                (100000, "0.02", "Silver"),
                (250000, "0.03", "Gold"),
                (500000, "0.04", "Platinum"),
            ),
        ),
        ("P-VAD", ((0, "0", None), (0.05, "0.02", None), (0.15, "0.05", None))),
        ("P-CLOUD", ((0, "0", None), (500, "1.5", None), (2000, "2.5", None))),
    ):
        for threshold, rate, label in tiers:
            rows.append(
                {"program_id": pid, "threshold": str(threshold), "rate": rate, "label": label}
            )
    return rows


def planted_summary(channel: Channel) -> dict:
    """What was planted, in JSON-ready form (written beside the generated files)."""
    return {"seed": channel.seed, "sizes": asdict(channel.sizes), **channel.planted}
