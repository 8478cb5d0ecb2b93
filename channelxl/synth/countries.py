"""The countries the synthetic channel trades in, and the currencies it prices in.

Each country carries a market weight: distributors' sizes and resellers' homes follow
it, so the US and Germany are busy and Ireland is quiet. Figures are reported in euro;
a currency's euro value is where its FX walk starts (:mod:`channelxl.synth.fx`).
"""

from __future__ import annotations

import numpy as np

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


def round_prices(prices: np.ndarray, currencies: np.ndarray) -> np.ndarray:
    """Prices as an invoice shows them: to the cent, or whole units where there are none."""
    return np.where(np.isin(currencies, list(NO_CENTS)), np.round(prices, 0), np.round(prices, 2))
