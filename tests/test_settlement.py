"""Settlement model: stock-flow consistency, a hand-worked three-period case, balance when rupee flows match,
and one-line errors for impossible parameters (pure; no store)."""

from __future__ import annotations

import dataclasses
import random
from datetime import date
from pathlib import Path

import pytest

from bilateral.errors import BilateralError, InputError
from bilateral.harmonise.periods import Period
from bilateral.models import settlement as st
from bilateral.models.settlement import CHANNELS, PeriodFlows, PeriodParams, run_model

BN = 1e9


def params(fx: float = 80.0, *, crude: float = 0.1, other: float = 0.5, exports: float = 0.5, mech: float = 1.0,
           caps=(1 * BN, 0.5 * BN, 0.0), uptakes=(0.5, 0.5, 0.0), opened=(1.0, 0.0, 1.0)) -> PeriodParams:
    return PeriodParams(inr_per_usd=fx, rub_per_usd=90.0, crude_inr_share=crude, other_imports_inr_share=other,
                        exports_inr_share=exports, mechanism_open=mech, caps_usd=caps, uptakes=uptakes,
                        channel_open=opened)


def flows(period: str, exports: float, imports: float, energy: float = 0.75) -> PeriodFlows:
    return PeriodFlows(period, "actual", exports, imports, energy)


def assert_stock_flow(rows: list[st.SettlementRow], opening: float = 0.0) -> None:
    for r in rows:
        assert r.opening_inr == pytest.approx(opening, rel=1e-12, abs=1e-3)
        assert r.closing_inr == pytest.approx(r.opening_inr + r.inflow_inr + r.bought_inr - r.exports_paid_inr
                                              - sum(r.channel_outflows_inr), rel=1e-12, abs=1e-3)
        assert r.closing_inr >= -1e-6 and r.bought_inr >= 0 and min(r.channel_outflows_inr) >= 0
        opening = r.closing_inr


def test_hand_worked_three_periods():
    """INR/USD 80 (100 in period 3); imports 20 bn, 75% energy; crude 10% in rupees, other goods 50%, exports 50%.

    P1 (mechanism open half the year): inflow 0.5×(15×0.1 + 5×0.5) = 2 bn$ = 160 bn₹; exporters paid 2×0.25×80 =
    40; left 120; G-secs take min(0.5×120, 1 bn$×80) = 60; closing 60.
    P2: inflow 4 bn$ = 320; paid 4×0.5×80 = 160; left 220; G-secs min(110, 80) = 80; closing 140.
    P3 (rate 100, corporate debt open half the year): inflow 400; paid 10×0.5×100 = 500; left 40; G-secs
    min(20, 100) = 20; corporate min(0.5×20, 0.5 bn$×0.5×100 = 25) = 10; closing 10.
    """
    f = [flows("FY2022-23", 2 * BN, 20 * BN), flows("FY2023-24", 4 * BN, 20 * BN), flows("FY2024-25", 10 * BN, 20 * BN)]
    p = [params(mech=0.5), params(), params(100.0, opened=(1.0, 0.5, 1.0))]
    rows = run_model(f, p)
    got = [(r.inflow_inr / BN, r.exports_paid_inr / BN, *(x / BN for x in r.channel_outflows_inr), r.closing_inr / BN)
           for r in rows]
    want = [(160, 40, 60, 0, 0, 60), (320, 160, 80, 0, 0, 140), (400, 500, 20, 10, 0, 10)]
    for g, w in zip(got, want, strict=True):
        assert g == pytest.approx(w, rel=1e-12)
    assert [r.opening_inr / BN for r in rows] == pytest.approx([0, 60, 140])
    assert [r.bought_inr for r in rows] == [0, 0, 0]
    assert [r.closing_usd / BN for r in rows] == pytest.approx([0.75, 1.75, 0.1])
    assert rows[0].closing_rub / BN == pytest.approx(67.5)  # 0.75 bn$ × 90
    assert [r.securities_held_inr / BN for r in rows] == pytest.approx([60, 140, 170])
    assert [r.rupee_assets_inr / BN for r in rows] == pytest.approx([120, 280, 180])
    assert rows[0].energy_inflow_inr / BN == pytest.approx(60)  # 0.5 × 15 × 0.1 × 80
    assert rows[0].rupee_share_imports == pytest.approx(0.1)  # 2 of 20 bn$
    assert rows[0].rupee_share_exports == pytest.approx(0.25)
    # exports at which exporters' rupees equal the rupee inflow: 2 / 0.25 = 8; 4 / 0.5 = 8
    assert [r.balancing_exports_usd / BN for r in rows] == pytest.approx([8, 8, 8])
    assert rows[2].balancing_export_growth == pytest.approx(-0.2)
    assert rows[0].years_of_exports == pytest.approx(60 / 160)
    assert rows[2].energy_share_of_deficit == pytest.approx(15 / 10)
    assert_stock_flow(rows)
    res = _result(rows, last_actual="FY2022-23")
    assert res.years_to_absorb == pytest.approx(10 / 130)  # fell 130 in the last period
    assert res.required_export_growth == pytest.approx((8 / 2) ** 0.5 - 1)  # two years from FY2022-23
    assert res.peak.period == "FY2023-24"


def _result(rows: list[st.SettlementRow], last_actual: str) -> st.SettlementResult:
    return st.SettlementResult("IND-RUS", "hand", "Hand", "", rows[0].period, rows[-1].period, last_actual, None,
                               tuple(rows), (), "test", ())


def test_balanced_rupee_flows_accumulate_nothing():
    """Rupees in (imports × rupee share) equal rupees out to exporters: the balance stays at zero."""
    f = [flows(f"FY{2022 + i}-{23 + i}", e, 2 * e, energy=0.5) for i, e in enumerate((1 * BN, 3 * BN, 7 * BN))]
    # imports 2e, half energy at 20% rupees, half other at 80% rupees → e in rupees; exports e at 100%
    p = [params(crude=0.2, other=0.8, exports=1.0, fx=fx) for fx in (80.0, 84.0, 90.0)]
    rows = run_model(f, p)
    for r in rows:
        assert r.inflow_inr == pytest.approx(r.exports_paid_inr)
        assert r.closing_inr == pytest.approx(0.0, abs=1e-3)
        assert r.bought_inr == pytest.approx(0.0, abs=1e-3)
        assert r.balancing_export_growth == pytest.approx(0.0, abs=1e-12)
    assert _result(rows, "FY2022-23").years_to_absorb == 0.0


def test_shortfall_is_bought_not_a_negative_balance():
    rows = run_model([flows("FY2024-25", 10 * BN, 2 * BN, energy=0.0)], [params(other=0.5, exports=1.0)],
                     opening_inr=100 * BN)
    r = rows[0]
    # inflow 1 bn$ = 80; exporters need 800; opening 100 → 620 bought, balance 0
    assert (r.inflow_inr / BN, r.exports_paid_inr / BN, r.bought_inr / BN, r.closing_inr) == pytest.approx((80, 800, 620, 0))
    assert_stock_flow(rows, opening=100 * BN)


def test_stock_flow_random_cases():
    rnd = random.Random(20251205)
    for _ in range(200):
        n = rnd.randint(1, 8)
        f = [flows(f"P{i}", rnd.uniform(0, 20) * BN, rnd.uniform(0, 80) * BN, rnd.random()) for i in range(n)]
        p = [params(rnd.uniform(60, 120), crude=rnd.random(), other=rnd.random(), exports=rnd.random(),
                    mech=rnd.random(), caps=tuple(rnd.uniform(0, 5) * BN for _ in CHANNELS),
                    uptakes=tuple(rnd.random() for _ in CHANNELS), opened=tuple(rnd.random() for _ in CHANNELS))
             for _ in range(n)]
        opening = rnd.uniform(0, 500) * BN
        assert_stock_flow(run_model(f, p, opening), opening)


def test_open_fraction_of_fiscal_year():
    # 11 July 2022 to 31 March 2023: 264 of 365 days
    assert st.open_fraction(Period("fy", 2022), date(2022, 7, 11)) == pytest.approx(264 / 365)
    assert st.open_fraction(Period("fy", 2023), date(2022, 7, 11)) == 1.0
    assert st.open_fraction(Period("fy", 2024), date(2025, 10, 3)) == 0.0
    assert st.open_fraction(Period("fy", 2025), date(2025, 10, 3)) == pytest.approx(180 / 365)
    assert st.period_of_date(date(2022, 7, 11), "fy") == Period("fy", 2022)
    assert st.period_of_date(date(2023, 2, 1), "fy") == Period("fy", 2022)


def test_path_holds_then_compounds():
    p = st.Param("inr_per_usd", {"FY2022-23": 80.0, "FY2024-25": 84.0}, "assumption", "x", growth=0.1)
    assert st.path_value(p, Period("fy", 2021)) == 80.0  # before the first label: the first value
    assert st.path_value(p, Period("fy", 2023)) == 80.0  # held until the next label
    assert st.path_value(p, Period("fy", 2024)) == 84.0
    assert st.path_value(p, Period("fy", 2026)) == pytest.approx(84.0 * 1.1 ** 2)
    assert st.path_value(p, Period("cy", 2024)) == 84.0  # FY labels stand for the calendar year they start in


# -- the scenario file -----------------------------------------------------------------------------
def test_shipped_scenarios_every_parameter_sourced_or_assumed():
    scs = st.load_scenarios()
    assert [s.name for s in scs] == ["status_quo", "more_rupee_invoicing", "export_push", "trade_only"]
    for s in scs:
        for p in [*s.defaults.values(), *s.overrides.values()]:
            assert p.basis in ("source", "assumption") and p.note
            if p.basis == "source":
                assert p.url.startswith("https://"), p.name
    d = scs[0].defaults
    assert d["mechanism_start"].value == date(2022, 7, 11) and d["mechanism_start"].basis == "source"
    assert d["channels.corporate_debt.available_from"].value == date(2025, 10, 3)
    assert d["inr_per_usd"].basis == "assumption"  # no FX series in the data: labelled, not passed off as data
    assert st.load_scenarios("export_push")[0].overrides["exports_growth"].value == 0.20


def test_scenario_overrides_apply_from_their_period():
    sc = st.load_scenarios("more_rupee_invoicing")[0]
    before = st.period_params(sc, Period("fy", 2025), Period("fy", 2026))
    after = st.period_params(sc, Period("fy", 2026), Period("fy", 2026))
    assert (before.crude_inr_share, after.crude_inr_share) == (0.05, 0.25)
    assert (before.exports_inr_share, after.exports_inr_share) == (0.60, 0.80)
    assert before.mechanism_open == 1.0 and before.channel_open == (1.0, pytest.approx(180 / 365), 1.0)


SCENARIO = """\
scenarios:
  - name: mine
    title: Mine
    description: test
    overrides:
{overrides}
"""


def write(tmp_path: Path, overrides: str, defaults: str = "") -> Path:
    path = tmp_path / "mine.yml"
    text = (f"defaults:\n{defaults}\n" if defaults else "") + SCENARIO.format(overrides=overrides)
    path.write_text(text, encoding="utf-8")
    return path


def test_user_file_inherits_shipped_defaults(tmp_path: Path):
    path = write(tmp_path, "      exports_growth: {value: 0.1, assumption: faster}")
    (sc,) = st.load_scenarios(path)
    assert sc.name == "mine" and sc.overrides["exports_growth"].value == 0.1
    assert sc.defaults["crude_currency"].value["USD"] == 0.60
    assert sc.file == str(path)


@pytest.mark.parametrize(("overrides", "message"), [
    ("      exports_currency: {value: {INR: 1.2, RUB: -0.2}, assumption: x}",
     "field 'scenarios.mine.overrides.exports_currency.INR': share 1.2 is outside 0-1"),
    ("      crude_currency: {value: {USD: 0.5, INR: 0.4}, assumption: x}",
     "field 'scenarios.mine.overrides.crude_currency': shares sum to 0.9; they must sum to 1"),
    ("      channels:\n        government_securities:\n          cap_usd: {value: -1.0e+9, assumption: x}",
     "field 'scenarios.mine.overrides.channels.government_securities.cap_usd': cap -1e+09 is negative; "
     "it must be 0 or more"),
    ("      channels:\n        third_country:\n          uptake: {value: 1.5, assumption: x}",
     "field 'scenarios.mine.overrides.channels.third_country.uptake': 1.5 is outside 0-1"),
    ("      crude_currency: {value: {USD: 0.5, GBP: 0.5}, assumption: x}",
     "field 'scenarios.mine.overrides.crude_currency': unknown currency 'GBP'; use USD, AED, CNY, INR, RUB, EUR, OTHER"),
    ("      exports_growth: {value: 0.1}",
     "field 'scenarios.mine.overrides.exports_growth': needs exactly one of 'source' (with url) or 'assumption' "
     "(why this value)"),
    ("      inr_per_usd: {value: {FY2026-27: 0}, assumption: x}",
     "field 'scenarios.mine.overrides.inr_per_usd.FY2026-27': rate 0 must be positive"),
])
def test_impossible_parameters_one_line_naming_file_and_field(tmp_path: Path, overrides: str, message: str):
    path = write(tmp_path, overrides)
    with pytest.raises(InputError) as exc:
        st.load_scenarios(path)
    assert str(exc.value) == f"{path}, {message}"
    assert "\n" not in str(exc.value)


def test_impossible_default_names_the_defaults_field(tmp_path: Path):
    path = write(tmp_path, "      {}", defaults="  other_imports_currency: {value: {INR: 0.7, THIRD: 0.7}, "
                                                "assumption: x}")
    with pytest.raises(InputError, match=r"field 'defaults.other_imports_currency': shares sum to 1.4; they must sum to 1"):
        st.load_scenarios(path)


def test_unknown_scenario_and_unreadable_file(tmp_path: Path):
    with pytest.raises(BilateralError, match="unknown scenario 'nope'; use one of status_quo, more_rupee_invoicing, "
                                             "export_push, trade_only or a YAML file"):
        st.load_scenarios("nope")
    with pytest.raises(BilateralError, match="cannot read scenario file"):
        st.load_scenarios(tmp_path / "missing.yml")
    bad = tmp_path / "bad.yml"
    bad.write_text("scenarios: [\n", encoding="utf-8")
    with pytest.raises(BilateralError, match="not valid YAML"):
        st.load_scenarios(bad)


def test_results_are_frozen():
    rows = run_model([flows("FY2024-25", BN, 2 * BN)], [params()])
    with pytest.raises(dataclasses.FrozenInstanceError):
        rows[0].closing_inr = 0.0  # type: ignore[misc]


@pytest.mark.parametrize(("overrides", "message"), [
    ("      exports_growth: {value: 0.1, assumption: x, range: {low: 0.2, high: 0.3, assumption: y}}",
     "field 'scenarios.mine.overrides.exports_growth.range': low 0.2 and high 0.3 must enclose the value 0.1"),
    ("      exports_growth: {value: 0.1, assumption: x, range: {low: 0.0, high: 0.3}}",
     "field 'scenarios.mine.overrides.exports_growth.range': needs exactly one of 'source' (with url) or "
     "'assumption' (why this range)"),
    ("      crude_currency: {value: {USD: 0.9, INR: 0.1}, assumption: x, range: {low: 0.0, high: 1.5, assumption: y}}",
     "field 'scenarios.mine.overrides.crude_currency.range.high': 1.5 is outside 0-1"),
    ("      mechanism_start: {value: 2022-07-11, assumption: x, range: {low: 0, high: 1, assumption: y}}",
     "field 'scenarios.mine.overrides.mechanism_start.range': dates take no range"),
])
def test_impossible_ranges_one_line(tmp_path: Path, overrides: str, message: str):
    path = write(tmp_path, overrides)
    with pytest.raises(InputError) as exc:
        st.load_scenarios(path)
    assert str(exc.value) == f"{path}, {message}"


def test_every_shipped_assumption_has_a_range_or_says_why_fixed():
    """Every numeric assumption of the shipped file carries a range; the fixed ones are named here, with why."""
    fixed_on_purpose = {"opening_balance_inr": "zero by construction (no account before July 2022)",
                        "rub_per_usd": "changes only the rouble figures"}
    for s in st.load_scenarios():
        for p in [*s.defaults.values(), *s.overrides.values()]:
            if isinstance(p.value, date) or p.name in fixed_on_purpose or (s.name == "trade_only" and
                                                                            p.name == "defence.inr_share"):
                continue
            if p.basis == "assumption":
                assert p.range is not None, (s.name, p.name)
                assert p.range.low <= p.central <= p.range.high and p.range.note


def test_monte_carlo_arithmetic_is_the_model_arithmetic():
    """model.step on arrays equals run_model row by row (one arithmetic for the scalar path and the draws)."""
    import numpy as np

    from bilateral.models.settlement.model import step

    f = [flows("FY2022-23", 2 * BN, 20 * BN), flows("FY2023-24", 4 * BN, 20 * BN), flows("FY2024-25", 10 * BN, 20 * BN)]
    crude = np.array([0.0, 0.1, 0.3])
    rows = [run_model(f, [params(crude=c), params(crude=c), params(100.0, crude=c, opened=(1.0, 0.5, 1.0))])
            for c in crude]
    bal = np.zeros(3)
    for i, (fl, fx, opened) in enumerate(zip(f, (80.0, 80.0, 100.0), ((1.0, 0.0, 1.0),) * 2 + ((1.0, 0.5, 1.0),),
                                             strict=True)):
        s = step(bal, fl.exports_usd, fl.imports_usd, fl.energy_share, params(fx, crude=crude, opened=opened))
        bal = s.closing
        assert list(bal) == pytest.approx([r[i].closing_inr for r in rows], rel=1e-12)
