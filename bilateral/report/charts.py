"""Charts of the target tracker: history, forecast fan, later actuals, target path and scenarios.

A PNG (matplotlib, headless) and a self-contained interactive HTML (plotly.js inlined, no CDN).
Both take the tracker's ``to_dict()``. The y-axis is set by the data, the median forecast, the 80%
band and the target, not by the 95% band (which is drawn but may run off the top: its upper end is
written on the chart); the provisional year is marked; the target is a legend entry.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bilateral.output import write_atomic

BN = 1e9
HEADROOM = 1.15  # the y-axis reaches 15% above the highest of data, median, 80% band and target


def _series(result: dict[str, Any]) -> dict[str, Any]:
    hist = result["history"]
    fc = result["forecast"]
    last = hist[-1]
    lastv = last["total_trade_usd"] / BN
    fx = [last["period"]] + [f["period"] for f in fc]
    band = {k: [lastv] + [f[k] / BN for f in fc] for k in ("lo80", "hi80", "lo95", "hi95", "median")}
    actual = [(f["period"], f["actual"] / BN) for f in fc if f.get("actual") is not None]
    later = [(a["period"], a["total_trade_usd"] / BN) for a in result.get("later_actuals", [])]
    provisional = [(h["period"], h["total_trade_usd"] / BN) for h in hist if h["status"] != "final"]
    provisional += [(a["period"], a["total_trade_usd"] / BN) for a in result.get("later_actuals", [])
                    if a["status"] != "final"]
    target = result["target"]["usd"] / BN
    top = max([h["total_trade_usd"] / BN for h in hist] + band["hi80"] + band["median"] + [target]
              + [v for _, v in later]) * HEADROOM
    return {"hist": hist, "fx": fx, "band": band, "actual": actual, "later": later, "provisional": provisional,
            "target": target, "top": top, "hi95_end": band["hi95"][-1]}


def _forecast_label(result: dict[str, Any]) -> str:
    pr = result.get("p_reach") or {}
    return f"Forecast (median; {pr.get('model', '')}, {pr.get('scheme', '')} intervals)"


def _title(result: dict[str, Any]) -> str:
    return (f"{result['pair']} total trade and the US${result['target']['usd'] / BN:.0f} bn target "
            f"({result['target']['period']}); base {result['base']['period']} ({result['base']['status']})")


def target_png(result: dict[str, Any], path: Path, label: str = "--chart") -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    d = _series(result)
    fig, ax = plt.subplots(figsize=(10, 5.5), dpi=120)
    hist = d["hist"]
    ax.plot([h["period"] for h in hist], [h["total_trade_usd"] / BN for h in hist], color="black", lw=2, marker="o",
            ms=3, label="Total trade (official)")
    fx, band = d["fx"], d["band"]
    if result["forecast"]:  # none where the history is too short for a forecast
        ax.fill_between(fx, band["lo95"], band["hi95"], color="tab:blue", alpha=0.15,
                        label=f"95% interval (upper end {d['hi95_end']:,.0f} bn)")
        ax.fill_between(fx, band["lo80"], band["hi80"], color="tab:blue", alpha=0.3, label="80% interval")
        ax.plot(fx, band["median"], color="tab:blue", lw=1.5, label=_forecast_label(result))
    if d["later"]:
        ax.plot([p for p, _ in d["later"]], [v for _, v in d["later"]], color="black", ls="none", marker="D", ms=6,
                label="Actual after the base (not used by the forecast)")
    if d["provisional"]:
        ax.plot([p for p, _ in d["provisional"]], [v for _, v in d["provisional"]], ls="none", marker="o", ms=10,
                markerfacecolor="none", markeredgecolor="tab:orange", mew=2, label="Provisional figure")
    tp = result["target_path"]
    ax.plot([t["period"] for t in tp], [t["total_trade_usd"] / BN for t in tp], color="tab:red", ls="--",
            label=f"Path to target ({result['required_cagr']:.1%} a year)")
    colors = ("tab:green", "tab:purple", "tab:brown", "tab:olive")
    for s, color in zip(result["scenarios"], colors, strict=False):
        ax.plot(fx[:1] + [y["period"] for y in s["years"]], [band["median"][0]] + [y["total_trade_usd"] / BN
                                                                                 for y in s["years"]], color=color, lw=1,
                marker=".", label=f"Scenario: {s['title']}")
    ax.axhline(d["target"], color="tab:red", lw=1, label=f"Target US${d['target']:,.0f} bn")
    ax.set_ylim(0, d["top"])
    ax.set_ylabel("US$ billion")
    ax.set_title(_title(result), fontsize=10)
    ax.tick_params(axis="x", rotation=60, labelsize=8)
    ax.legend(fontsize=7, loc="upper left")
    ax.grid(alpha=0.3)
    fig.text(0.01, 0.01, f"Source: {result['source']['trade']}; Brent: US EIA; forecast and scenarios: bilateral",
             fontsize=6, color="gray")
    fig.tight_layout()
    try:
        write_atomic(path, lambda tmp: fig.savefig(tmp, format="png"), label=label)
    finally:
        plt.close(fig)
    return path


def target_html(result: dict[str, Any], path: Path, label: str = "--chart") -> Path:
    import plotly.graph_objects as go

    d = _series(result)
    fx, band = d["fx"], d["band"]
    fig = go.Figure()
    bands = (("lo95", "hi95", f"95% interval (upper end {d['hi95_end']:,.0f} bn)", 0.15),
             ("lo80", "hi80", "80% interval", 0.3)) if result["forecast"] else ()
    for lo, hi, name, alpha in bands:
        fig.add_trace(go.Scatter(x=fx + fx[::-1], y=band[hi] + band[lo][::-1], fill="toself",
                                 fillcolor=f"rgba(31,119,180,{alpha})", line={"width": 0}, name=name))
    hist = d["hist"]
    fig.add_trace(go.Scatter(x=[h["period"] for h in hist], y=[h["total_trade_usd"] / BN for h in hist],
                             name="Total trade (official)", line={"color": "black", "width": 3}))
    if result["forecast"]:
        fig.add_trace(go.Scatter(x=fx, y=band["median"], name=_forecast_label(result), line={"color": "rgb(31,119,180)"}))
    if d["later"]:
        fig.add_trace(go.Scatter(x=[p for p, _ in d["later"]], y=[v for _, v in d["later"]], mode="markers",
                                 marker={"symbol": "diamond", "size": 10, "color": "black"},
                                 name="Actual after the base (not used by the forecast)"))
    if d["provisional"]:
        fig.add_trace(go.Scatter(x=[p for p, _ in d["provisional"]], y=[v for _, v in d["provisional"]],
                                 mode="markers", name="Provisional figure",
                                 marker={"size": 14, "color": "rgba(0,0,0,0)", "line": {"color": "orange", "width": 2}}))
    tp = result["target_path"]
    fig.add_trace(go.Scatter(x=[t["period"] for t in tp], y=[t["total_trade_usd"] / BN for t in tp],
                             name=f"Path to target ({result['required_cagr']:.1%} a year)",
                             line={"dash": "dash", "color": "red"}))
    fig.add_trace(go.Scatter(x=[hist[0]["period"], fx[-1]], y=[d["target"], d["target"]], mode="lines",
                             name=f"Target US${d['target']:,.0f} bn", line={"color": "red", "width": 1}))
    for s in result["scenarios"]:
        fig.add_trace(go.Scatter(x=fx[:1] + [y["period"] for y in s["years"]],
                                 y=[band["median"][0]] + [y["total_trade_usd"] / BN for y in s["years"]],
                                 name=f"Scenario: {s['title']}"))
    fig.update_layout(title=_title(result), yaxis_title="US$ billion", yaxis_range=[0, d["top"]],
                      template="plotly_white")
    # JS inlined: no CDN
    write_atomic(path, lambda tmp: fig.write_html(str(tmp), include_plotlyjs=True, full_html=True), label=label)
    return path
