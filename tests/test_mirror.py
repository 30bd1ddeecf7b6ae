"""Mirror estimates as a pure function: hand-worked values, nothing estimated where the reporter reported."""

from __future__ import annotations

import pytest

from bilateral.harmonise import mirror


def _row(reporter: str, partner: str, period: str, flow: str, value: float, level: int = 0) -> dict:
    return {"source": "comtrade", "release": f"comtrade/{reporter}", "period": period, "period_kind": "cy",
            "reporter": reporter, "partner": partner, "flow": flow, "hs_revision": None, "product": "TOTAL",
            "product_level": level, "value_usd": value, "quantity": None, "quantity_unit": None,
            "estimate": "reported", "quality": "comtrade_reported"}


def test_partner_reports_become_cif_fob_adjusted_estimates() -> None:
    india = [_row("IND", "RUS", "CY2022", "export", 3_100.0), _row("IND", "RUS", "CY2022", "import", 40_000.0),
             _row("IND", "RUS", "CY2021", "export", 3_300.0)]
    russia_reported = {("CY2021", 0, "import")}  # Russia reported its 2021 imports itself
    out = mirror.estimates(india, russia_reported, "mirror/comtrade/RUS-IND", factor=1.10)
    got = {(r["period"], r["flow"]): r for r in out}
    assert set(got) == {("CY2022", "import"), ("CY2022", "export")}  # 2021 import was reported: not estimated
    assert got[("CY2022", "import")]["value_usd"] == pytest.approx(3_100.0 * 1.10, rel=1e-15)  # FOB → CIF
    assert got[("CY2022", "export")]["value_usd"] == pytest.approx(40_000.0 / 1.10, rel=1e-15)  # CIF → FOB
    for r in out:
        assert (r["reporter"], r["partner"], r["estimate"], r["quality"], r["release"]) == (
            "RUS", "IND", "mirror", "mirror_cif_fob", "mirror/comtrade/RUS-IND")


def test_no_reports_no_estimates_and_inputs_untouched() -> None:
    rows = [_row("IND", "RUS", "CY2022", "export", 1.0)]
    before = [dict(r) for r in rows]
    assert mirror.estimates([], set(), "x") == []
    mirror.estimates(rows, set(), "x")
    assert rows == before
