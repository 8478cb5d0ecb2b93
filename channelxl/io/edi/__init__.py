"""Distributor reports in EDI: X12 867 / 852 and EANCOM SLSRPT / INVRPT (``io.edi.model``
says what every reader returns)."""
