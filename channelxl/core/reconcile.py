"""Sell-through reconciliation per distributor x SKU x month, and line-level flags.

The identity, in units::

    expected closing = opening + sell-in - returns - sell-through
    variance         = reported closing - expected closing

Rules for the opening (written down because a person will check them):

- the opening of a month is the **reported** closing of the month before;
- the first month's opening is the inventory reported for the month before it; without
  one the opening is 0 and the row is flagged ``NOOPEN``;
- after a month with no inventory report (flag ``MISSING``) the next month opens at the
  missing month's **expected** closing: the chain goes on, the gap is flagged once;
- a distributor's inventory report lists the SKUs it holds: a SKU absent from a report the
  distributor did send for that month counts as 0 on hand, not as missing.

A variance is within tolerance when ``|variance| <= tolerance_units`` or
``|variance| <= tolerance_pct x |expected closing|``; otherwise ``VAR``. When more was sold
than the opening plus sell-in less returns, the expected closing is negative: ``NEG``.

Line flags (each line of sell-through, with master data): ``DUP`` duplicate invoice line
(the second and later copies), ``NOSHIP`` a SKU never shipped to that distributor up to
that month, ``FLOOR`` resale below the floor price (after FX), ``UNKSKU`` / ``UNKRES``
unknown SKU / reseller, ``UNAUTH`` reseller not authorized for the distributor.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

FLAGS = {
    "VAR": "closing stock differs from the expected by more than the tolerance",
    "NEG": "more was sold than was in stock (implied negative inventory)",
    "MISSING": "no inventory report for the month",
    "NOOPEN": "no opening balance: no inventory report for the month before",
    "DUP": "duplicate invoice line (reported more than once)",
    "NOSHIP": "sold through, but the vendor never shipped this SKU to the distributor",
    "FLOOR": "resold below the floor price",
    "UNKSKU": "SKU is not in the program workbook",
    "UNKRES": "reseller is not in the program workbook",
    "UNAUTH": "reseller is not authorized to buy from this distributor",
}
# The order :func:`line_flags` lists the kinds of line flag in (each kind's lines in line
# order): a reconciliation run in batches of distributors joins the batches' flags back into it.
LINE_FLAG_ORDER = ("DUP", "UNKSKU", "FLOOR", "UNKRES", "UNAUTH", "NOSHIP")
# Two sell-through lines of one distributor are the same line when all of these agree.
DUPLICATE_LINE_KEY = (
    "invoice_number",
    "invoice_date",
    "reseller_id",
    "sku",
    "quantity",
    "unit_price",
)
GRID_COLUMNS = [
    "distributor_id",
    "sku",
    "month",
    "opening",
    "sell_in",
    "returns",
    "sell_through",
    "expected_closing",
    "reported_closing",
    "variance",
    "variance_pct",
    "status",
]


@dataclass(frozen=True)
class Tolerance:
    units: float = 0
    pct: float = 0


def _monthly(frame: pd.DataFrame | None, value: str) -> pd.DataFrame:
    """Sum ``value`` by (distributor_id, sku, month), as plain numpy-backed columns."""
    cols = ["distributor_id", "sku", "month", value]
    if frame is None or frame.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in cols})
    f = frame[cols].copy()
    for c in ("distributor_id", "sku", "month"):  # object arrays iterate and hash fast
        f[c] = f[c].astype(object).to_numpy(dtype=object)
    return f.groupby(["distributor_id", "sku", "month"], sort=False, as_index=False)[value].sum()


def _month_range(months) -> list[str]:
    from channelxl.core.periods import Month, months_between

    ms = sorted({str(m) for m in months})
    if not ms:
        return []
    return [str(m) for m in months_between(Month.parse(ms[0]), Month.parse(ms[-1]))]


def reconcile(
    sell_in: pd.DataFrame | None,
    sell_through: pd.DataFrame | None,
    inventory: pd.DataFrame | None,
    *,
    returns: pd.DataFrame | None = None,
    tolerance: Tolerance = Tolerance(),
    months: list[str] | None = None,
    line_flags: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The reconciliation grid, one row per distributor x SKU x month (``GRID_COLUMNS``).

    Inputs are frames with ``distributor_id``, ``sku``, ``month`` (``YYYY-MM``) and
    ``quantity`` (sell-in, sell-through, returns) or ``on_hand`` (inventory, already
    including stock in transit when the caller counts it). ``months`` limits the output
    (the month before the first is still read for the opening). ``line_flags``
    (distributor_id, sku, month, flag) adds line-level flag codes to the status.
    """
    si = _monthly(sell_in, "quantity")
    st = _monthly(sell_through, "quantity")
    rt = _monthly(returns, "quantity")
    inv = _monthly(inventory, "on_hand")
    frames = [si, st, rt, inv]
    if months is None:
        activity = np.concatenate([f["month"].to_numpy(object) for f in (si, st, rt)])
        months = _month_range(activity if len(activity) else inv["month"].to_numpy(object))
    if not months or all(f.empty for f in frames):
        return pd.DataFrame(columns=GRID_COLUMNS)
    from channelxl.core.periods import Month

    before = str(Month.parse(months[0]) + -1)
    # distributor x SKU pairs as integer codes: factorise each side, then the pair
    d_all = np.concatenate([f["distributor_id"].to_numpy(object) for f in frames])
    s_all = np.concatenate([f["sku"].to_numpy(object) for f in frames])
    d_codes, d_uni = pd.factorize(d_all, sort=True)
    s_codes, s_uni = pd.factorize(s_all, sort=True)
    pair_all = d_codes.astype(np.int64) * len(s_uni) + s_codes
    p_codes, p_uni = pd.factorize(pair_all, sort=True)
    n, m = len(p_uni), len(months)
    key_d = np.asarray(d_uni, dtype=object)[p_uni // len(s_uni)]
    key_s = np.asarray(s_uni, dtype=object)[p_uni % len(s_uni)]
    month_pos = {mo: j for j, mo in enumerate([before, *months])}  # 0 = the month before
    bounds = np.cumsum([0, *(len(f) for f in frames)])

    def grid(k: int, value: str, fill: float) -> np.ndarray:
        """Frame k as an (n, m + 1) array, column 0 the month before the first."""
        f = frames[k]
        out = np.full((n, m + 1), fill)
        if f.empty:
            return out
        cols_ = f["month"].map(month_pos).to_numpy()
        ok = ~pd.isna(cols_)
        rows_ = p_codes[bounds[k] : bounds[k + 1]]
        out[rows_[ok], cols_[ok].astype(int)] = f[value].to_numpy(dtype="float64")[ok]
        return out

    sell_in_a = grid(0, "quantity", 0.0)[:, 1:]
    st_a = grid(1, "quantity", 0.0)[:, 1:]
    ret_a = grid(2, "quantity", 0.0)[:, 1:]
    reported_all = grid(3, "on_hand", np.nan)
    # SKUs absent from a report the distributor sent count as 0 on hand
    if not inv.empty:
        inv_d = d_codes[bounds[3] : bounds[4]]
        inv_m = inv["month"].map(month_pos).to_numpy()
        ok = ~pd.isna(inv_m)
        sent = np.zeros((len(d_uni), m + 1), dtype=bool)
        sent[inv_d[ok], inv_m[ok].astype(int)] = True
        covered = sent[p_uni // len(s_uni)]
        reported_all = np.where(np.isnan(reported_all) & covered, 0.0, reported_all)
    opening0, reported = reported_all[:, 0], reported_all[:, 1:]

    opening = np.zeros((n, m))
    expected = np.zeros((n, m))
    no_open = np.isnan(opening0)
    carry = np.where(no_open, 0.0, opening0)
    for j in range(m):  # month by month, every distributor x SKU at once
        opening[:, j] = carry
        expected[:, j] = carry + sell_in_a[:, j] - ret_a[:, j] - st_a[:, j]
        carry = np.where(np.isnan(reported[:, j]), expected[:, j], reported[:, j])
    variance = reported - expected
    with np.errstate(divide="ignore", invalid="ignore"):
        pct = np.where(expected != 0, variance / np.abs(expected), np.nan)
    within = (np.abs(variance) <= tolerance.units) | (
        (expected != 0) & (np.abs(variance) <= tolerance.pct * np.abs(expected))
    )
    missing = np.isnan(reported)

    # status as a bit mask per cell, one bit per flag in FLAGS order, then to text
    bit = {flag: 1 << i for i, flag in enumerate(FLAGS)}
    mask = np.zeros((n, m), dtype=np.int64)
    mask |= np.where(missing, bit["MISSING"], 0)
    mask |= np.where(~missing & ~within, bit["VAR"], 0)
    mask |= np.where(expected < 0, bit["NEG"], 0)
    mask[:, 0] |= np.where(no_open, bit["NOOPEN"], 0)
    if line_flags is not None and not line_flags.empty:
        lf = line_flags[["distributor_id", "sku", "month", "flag"]].drop_duplicates()
        dpos = pd.Index(d_uni).get_indexer(lf["distributor_id"].to_numpy(object))
        spos = pd.Index(s_uni).get_indexer(lf["sku"].to_numpy(object))
        mpos = lf["month"].map({mo: j for j, mo in enumerate(months)}).to_numpy()
        pair = dpos.astype(np.int64) * len(s_uni) + spos
        rows_ = np.searchsorted(p_uni, pair)
        ok = (dpos >= 0) & (spos >= 0) & ~pd.isna(mpos)
        ok &= (rows_ < n) & (p_uni[np.minimum(rows_, n - 1)] == pair)
        bits = lf["flag"].map(bit).to_numpy()
        np.bitwise_or.at(mask, (rows_[ok], mpos[ok].astype(int)), bits[ok].astype(np.int64))
    codes = pd.Series(mask.ravel())
    text = {v: " ".join(f for f in FLAGS if v & bit[f]) or "OK" for v in codes.unique()}
    rows = pd.DataFrame(
        {
            "distributor_id": np.repeat(key_d, m),
            "sku": np.repeat(key_s, m),
            "month": np.tile(np.array(months, dtype=object), n),
            "opening": opening.ravel(),
            "sell_in": sell_in_a.ravel(),
            "returns": ret_a.ravel(),
            "sell_through": st_a.ravel(),
            "expected_closing": expected.ravel(),
            "reported_closing": reported.ravel(),
            "variance": variance.ravel(),
            "variance_pct": pct.ravel(),
            "status": codes.map(text).to_numpy(),
        }
    )
    # a distributor x SKU with nothing at all in a month is no row: keep what happened
    active = (
        (rows[["sell_in", "returns", "sell_through"]].abs().sum(axis=1) > 0)
        | rows["reported_closing"].notna()
        | (rows["opening"] != 0)
    )
    return rows[active].reset_index(drop=True)


def line_flags(
    lines: pd.DataFrame,
    *,
    products: pd.DataFrame | None = None,
    resellers: pd.DataFrame | None = None,
    shipped_first: pd.DataFrame | None = None,
    unit_price_in_reporting: pd.Series | None = None,
) -> pd.DataFrame:
    """Flags of individual sell-through lines: one row per (line, flag) with a reason.

    ``lines``: distributor_id, invoice_number, invoice_date, reseller_id, sku, quantity,
    unit_price, month (and any other columns, passed through). ``products``: sku,
    floor_price. ``resellers``: reseller_id, authorized_distributors (a list).
    ``shipped_first``: distributor_id, sku, first_month (the first month the vendor shipped
    it). ``unit_price_in_reporting``: the line price in the reporting currency (aligned
    with ``lines``), compared with the floor price; None skips the floor check.
    """
    out = []
    key = ["distributor_id", *DUPLICATE_LINE_KEY]
    dup = lines.duplicated(subset=[k for k in key if k in lines.columns], keep="first")
    out.append(("DUP", dup, "the same invoice line appears earlier in the report"))
    if products is not None:
        known = set(products["sku"])
        unknown = ~lines["sku"].isin(known)
        out.append(
            ("UNKSKU", unknown, "SKU " + lines["sku"].astype(str) + " is not in the program")
        )
        if unit_price_in_reporting is not None:
            floor = lines["sku"].map(
                dict(zip(products["sku"], products["floor_price"], strict=True))
            )
            price = unit_price_in_reporting
            below = pd.Series(
                [
                    f is not None and f == f and p is not None and p == p and p < f
                    for p, f in zip(price, floor, strict=True)
                ],
                index=lines.index,
            )
            reason = pd.Series(
                [
                    f"price {float(p):,.2f} is below the floor {float(f):,.2f}" if b else ""
                    for p, f, b in zip(price, floor, below, strict=True)
                ],
                index=lines.index,
            )
            out.append(("FLOOR", below, reason))
    if resellers is not None:
        auth = dict(
            zip(resellers["reseller_id"], resellers["authorized_distributors"], strict=True)
        )
        unknown = ~lines["reseller_id"].isin(auth)
        out.append(
            (
                "UNKRES",
                unknown,
                "reseller " + lines["reseller_id"].astype(str) + " is not in the program",
            )
        )
        allowed = [
            (r in auth) and (d not in (auth[r] if auth[r] is not None else ()))
            for r, d in zip(
                lines["reseller_id"].to_numpy(object),
                lines["distributor_id"].to_numpy(object),
                strict=True,
            )
        ]
        out.append(
            (
                "UNAUTH",
                pd.Series(allowed, index=lines.index),
                "reseller "
                + lines["reseller_id"].astype(str)
                + " may not buy from "
                + lines["distributor_id"].astype(str),
            )
        )
    if shipped_first is not None:
        first = lines[["distributor_id", "sku"]].merge(
            shipped_first, on=["distributor_id", "sku"], how="left"
        )["first_month"]
        first.index = lines.index
        never = first.isna() | (first > lines["month"])
        out.append(
            (
                "NOSHIP",
                never,
                "SKU "
                + lines["sku"].astype(str)
                + " was never shipped to "
                + lines["distributor_id"].astype(str)
                + " by then",
            )
        )
    frames = []
    for flag, mask, reason in out:
        mask = mask.fillna(False).astype(bool)
        if mask.any():
            hit = lines[mask].copy()
            hit["flag"] = flag
            hit["reason"] = reason[mask] if isinstance(reason, pd.Series) else reason
            frames.append(hit)
    if not frames:
        return lines.head(0).assign(flag=pd.Series(dtype=object), reason=pd.Series(dtype=object))
    return pd.concat(frames, ignore_index=True)
