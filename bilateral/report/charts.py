"""Charts of the target tracker: history, forecast fan, target path and scenarios.

A PNG (matplotlib, headless) and a self-contained interactive HTML (plotly.js inlined, no CDN).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

BN = 1e9


def target_png(result: dict[str, Any], path: Path) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(10, 5.5), dpi=120)
    hist = result["history"]
    hx = [h["period"] for h in hist]
    ax.plot(hx, [h["total_trade_usd"] / BN for h in hist], color="black", lw=2, marker="o", ms=3,
            label="Official total trade")
    fc = result["forecast"]
    fx = [hist[-1]["period"]] + [f["period"] for f in fc]
    last = hist[-1]["total_trade_usd"] / BN
    ax.fill_between(fx, [last] + [f["lo95"] / BN for f in fc], [last] + [f["hi95"] / BN for f in fc],
                    color="tab:blue", alpha=0.15, label="95% prediction interval")
    ax.fill_between(fx, [last] + [f["lo80"] / BN for f in fc], [last] + [f["hi80"] / BN for f in fc],
                    color="tab:blue", alpha=0.3, label="80% prediction interval")
    ax.plot(fx, [last] + [f["median"] / BN for f in fc], color="tab:blue", lw=1.5, label="Forecast (median)")
    tp = result["target_path"]
    ax.plot([t["period"] for t in tp], [t["total_trade_usd"] / BN for t in tp], color="tab:red", ls="--",
            label=f"Path to target ({result['required_cagr']:.1%} a year)")
    for s, color in zip(result["scenarios"], ("tab:green", "tab:purple", "tab:orange", "tab:brown"), strict=False):
        ax.plot(fx, [last] + [y["total_trade_usd"] / BN for y in s["years"]], color=color, lw=1, marker=".",
                label=f"Scenario: {s['title']}")
    ax.axhline(result["target"]["usd"] / BN, color="tab:red", lw=0.8)
    ax.set_ylabel("US$ billion")
    ax.set_title(f"{result['pair']} total trade and the US${result['target']['usd'] / BN:.0f} bn target "
                 f"({result['target']['period']})")
    ax.tick_params(axis="x", rotation=60, labelsize=8)
    ax.legend(fontsize=8, loc="upper left")
    ax.grid(alpha=0.3)
    fig.text(0.01, 0.01, f"Source: {result['source']['publisher']}; forecast and scenarios: bilateral",
             fontsize=7, color="gray")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    plt.close(fig)
    return path


def target_html(result: dict[str, Any], path: Path) -> Path:
    import plotly.graph_objects as go

    hist = result["history"]
    fc = result["forecast"]
    last = hist[-1]
    fx = [last["period"]] + [f["period"] for f in fc]
    lastv = last["total_trade_usd"] / BN
    fig = go.Figure()
    for lo, hi, name, alpha in (("lo95", "hi95", "95% interval", 0.15), ("lo80", "hi80", "80% interval", 0.3)):
        fig.add_trace(go.Scatter(x=fx + fx[::-1], y=[lastv] + [f[hi] / BN for f in fc] +
                                 [f[lo] / BN for f in fc][::-1] + [lastv], fill="toself",
                                 fillcolor=f"rgba(31,119,180,{alpha})", line={"width": 0}, name=name))
    fig.add_trace(go.Scatter(x=[h["period"] for h in hist], y=[h["total_trade_usd"] / BN for h in hist],
                             name="Official total trade", line={"color": "black", "width": 3}))
    fig.add_trace(go.Scatter(x=fx, y=[lastv] + [f["median"] / BN for f in fc], name="Forecast (median)"))
    tp = result["target_path"]
    fig.add_trace(go.Scatter(x=[t["period"] for t in tp], y=[t["total_trade_usd"] / BN for t in tp],
                             name="Path to target", line={"dash": "dash", "color": "red"}))
    for s in result["scenarios"]:
        fig.add_trace(go.Scatter(x=fx, y=[lastv] + [y["total_trade_usd"] / BN for y in s["years"]],
                                 name=f"Scenario: {s['title']}"))
    fig.update_layout(title=f"{result['pair']} total trade and the target", yaxis_title="US$ billion",
                      template="plotly_white")
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.write_html(str(path), include_plotlyjs=True, full_html=True)  # JS inlined: no CDN
    return path
