"""Charts of the rupee balance path: a PNG (matplotlib, headless) or a self-contained HTML (plotly.js inlined, no CDN).

Both take the JSON shape of a settlement run (``SettlementRun.to_dict()``), so the dashboard can
draw the same chart from the API's answer.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bilateral.errors import BilateralError

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


def _series(scenario: dict[str, Any], key: str) -> tuple[list[str], list[float], list[str], list[float]]:
    """Actual (periods, values) and projected (periods, values, joined to the last actual point)."""
    rows = scenario["rows"]
    ax = [r["period"] for r in rows if r["kind"] == "actual"]
    ay = [r[key] / BN for r in rows if r["kind"] == "actual"]
    px = [r["period"] for r in rows if r["kind"] == "projected"]
    py = [r[key] / BN for r in rows if r["kind"] == "projected"]
    if ax and px:
        px, py = [ax[-1], *px], [ay[-1], *py]
    return ax, ay, px, py


def _title(run: dict[str, Any]) -> str:
    return f"{run['pair']}: modelled rupee balance in Special Rupee Vostro Accounts, {run['from']} to {run['to']}"


def _footer(run: dict[str, Any]) -> str:
    return (f"Flows: {run['flows_source']}. Projected after {run['last_actual']}. Model estimate from stated "
            "assumptions; the RBI does not publish vostro balances by country.")


def settlement_png(run: dict[str, Any], path: Path) -> Path:
    """Balance path in US$ bn per scenario: solid for actual years, dashed for projected ones."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(10, 5.5), dpi=120)
    for n, sc in enumerate(run["scenarios"]):
        colour = _COLOURS[n % len(_COLOURS)]
        axp, ay, px, py = _series(sc, "closing_usd")
        if n == 0 and axp:
            ax.plot(axp, ay, color="black", lw=2, marker="o", ms=4, label="Actual flows (all scenarios)")
        if px:
            ax.plot(px, py, color=colour, lw=1.5, ls="--", marker=".", label=f"Projected: {sc['title']}")
    ax.set_ylabel("Closing balance, US$ billion")
    ax.set_title(_title(run), fontsize=10)
    ax.tick_params(axis="x", rotation=45, labelsize=8)
    ax.legend(fontsize=8, loc="upper left")
    ax.grid(alpha=0.3)
    fig.text(0.01, 0.01, _footer(run), fontsize=6, color="gray", wrap=True)
    fig.tight_layout(rect=(0, 0.04, 1, 1))
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    plt.close(fig)
    return path


def settlement_html(run: dict[str, Any], path: Path) -> Path:
    """The same chart, interactive, with plotly.js inlined (works offline, no CDN)."""
    import plotly.graph_objects as go

    fig = go.Figure()
    for n, sc in enumerate(run["scenarios"]):
        colour = _PLOTLY_COLOURS[n % len(_PLOTLY_COLOURS)]
        axp, ay, px, py = _series(sc, "closing_usd")
        if n == 0 and axp:
            fig.add_trace(go.Scatter(x=axp, y=ay, name="Actual flows (all scenarios)",
                                     line={"color": "black", "width": 3}))
        if px:
            fig.add_trace(go.Scatter(x=px, y=py, name=f"Projected: {sc['title']}",
                                     line={"color": colour, "dash": "dash"}))
    fig.update_layout(title=_title(run), yaxis_title="Closing balance, US$ billion", template="plotly_white",
                      annotations=[{"text": _footer(run), "xref": "paper", "yref": "paper", "x": 0, "y": -0.2,
                                    "showarrow": False, "font": {"size": 9, "color": "gray"}}])
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.write_html(str(path), include_plotlyjs=True, full_html=True)  # JS inlined: no CDN
    return path


def write_chart(run: dict[str, Any], path: Path) -> Path:
    """PNG or HTML by the file's suffix."""
    check_chart_path(path)
    if path.suffix.lower() == ".html":
        return settlement_html(run, path)
    return settlement_png(run, path)
