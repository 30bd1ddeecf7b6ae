"""Charts of the rupee balance path: a PNG (matplotlib, headless) or a self-contained HTML (plotly.js inlined, no CDN).

Both take the JSON shape of a settlement run (``SettlementRun.to_dict()``), so the dashboard can
draw the same chart from the API's answer.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bilateral.errors import BilateralError
from bilateral.output import write_atomic

__all__ = ["CHART_SUFFIXES", "check_chart_path", "settlement_html", "settlement_png", "write_chart"]

BN = 1e9
CHART_SUFFIXES = (".png", ".html")
_COLOURS = ("tab:blue", "tab:red", "tab:green", "tab:purple", "tab:orange", "tab:brown")
_PLOTLY_COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b")


def check_chart_path(path: Path) -> Path:
    """The chart path, if it ends in .png or .html; otherwise a one-line error."""
    if path.suffix.lower() not in CHART_SUFFIXES:
        raise BilateralError(f"--chart {path}: write a .png (static) or .html (interactive) file")
    return path


def _band(scenario: dict[str, Any]) -> tuple[list[str], list[float], list[float], list[float]]:
    """Periods and the band's P10, median and P90 (US$ bn); the central run when no band was computed."""
    band = scenario.get("band")
    if band:
        rows = band["rows"]
        return ([r["period"] for r in rows], [r["closing_usd_p10"] / BN for r in rows],
                [r["closing_usd_p50"] / BN for r in rows], [r["closing_usd_p90"] / BN for r in rows])
    rows = scenario["rows"]
    ys = [r["closing_usd"] / BN for r in rows]
    return [r["period"] for r in rows], ys, ys, ys


def _title(run: dict[str, Any]) -> str:
    return (f"{run['pair']}: modelled rupee balance in Special Rupee Vostro Accounts, {run['from']} to {run['to']} "
            "(median and P10–P90 band)")


def _footer(run: dict[str, Any]) -> str:
    return (f"Modelled on actual trade flows to {run['last_actual_flows']}, projected flows after. Flows: "
            f"{run['flows_source']}. Band: joint draws of every assumption within its stated range. The RBI does "
            "not publish vostro balances by country.")


def settlement_png(run: dict[str, Any], path: Path, label: str = "--chart") -> Path:
    """Median balance path in US$ bn per scenario with its P10–P90 band shaded."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(10, 5.5), dpi=120)
    for n, sc in enumerate(run["scenarios"]):
        colour = _COLOURS[n % len(_COLOURS)]
        xs, lo, mid, hi = _band(sc)
        ax.fill_between(xs, lo, hi, color=colour, alpha=0.12, lw=0)
        ax.plot(xs, mid, color=colour, lw=1.6, marker=".", label=f"{sc['title']} (median; band P10–P90)")
    last = run.get("last_actual_flows")
    if last:
        ax.axvline(last, color="gray", ls=":", lw=1)
        ax.annotate("last year of actual flows", (last, 1), xycoords=("data", "axes fraction"), fontsize=7,
                    color="gray", xytext=(3, -10), textcoords="offset points")
    ax.set_ylabel("Modelled closing balance, US$ billion")
    ax.set_title(_title(run), fontsize=9)
    ax.tick_params(axis="x", rotation=45, labelsize=8)
    ax.set_ylim(bottom=0)
    ax.legend(fontsize=8, loc="upper left")
    ax.grid(alpha=0.3)
    fig.text(0.01, 0.01, _footer(run), fontsize=6, color="gray", wrap=True)
    fig.tight_layout(rect=(0, 0.05, 1, 1))
    try:
        write_atomic(path, lambda tmp: fig.savefig(tmp, format="png"), label=label)
    finally:
        plt.close(fig)
    return path


def settlement_html(run: dict[str, Any], path: Path, label: str = "--chart") -> Path:
    """The same chart, interactive, with plotly.js inlined (works offline, no CDN)."""
    import plotly.graph_objects as go

    fig = go.Figure()
    for n, sc in enumerate(run["scenarios"]):
        colour = _PLOTLY_COLOURS[n % len(_PLOTLY_COLOURS)]
        xs, lo, mid, hi = _band(sc)
        fig.add_trace(go.Scatter(x=xs + xs[::-1], y=hi + lo[::-1], fill="toself", fillcolor=colour, opacity=0.15,
                                 line={"width": 0}, hoverinfo="skip", showlegend=False, legendgroup=sc["scenario"]))
        fig.add_trace(go.Scatter(x=xs, y=mid, name=f"{sc['title']} (median; band P10–P90)",
                                 line={"color": colour}, legendgroup=sc["scenario"]))
    fig.update_layout(title=_title(run), yaxis_title="Modelled closing balance, US$ billion", template="plotly_white",
                      annotations=[{"text": _footer(run), "xref": "paper", "yref": "paper", "x": 0, "y": -0.2,
                                    "showarrow": False, "font": {"size": 9, "color": "gray"}}])
    # JS inlined: no CDN
    write_atomic(path, lambda tmp: fig.write_html(str(tmp), include_plotlyjs=True, full_html=True), label=label)
    return path


def write_chart(run: dict[str, Any], path: Path) -> Path:
    """PNG or HTML by the file's suffix."""
    check_chart_path(path)
    if path.suffix.lower() == ".html":
        return settlement_html(run, path)
    return settlement_png(run, path)
