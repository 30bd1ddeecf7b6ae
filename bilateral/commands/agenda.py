"""`bilateral agenda` (the summit's commitments) and `bilateral check` (an article's figures)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal, get_args

import typer

from bilateral.cli_common import FormatOpt, OutOpt, PairOpt, StoreOpt, choice, day, emit, input_path, run
from bilateral.errors import BilateralError
from bilateral.inputs import ARTICLE_MAX_BYTES

Action = Literal["list", "show", "update", "timeline"]
ACTIONS: tuple[str, ...] = get_args(Action)
TEXT_WIDTH = 70
#: the earliest evidence date accepted: the India–Russia Strategic Partnership declaration (October 2000)
FIRST_EVIDENCE_DATE = date(2000, 10, 3)
#: the earliest article date: the first year of trade data any source holds
FIRST_ARTICLE_DATE = date(1962, 1, 1)


def _pillars() -> tuple[str, ...]:
    from bilateral.agenda.schema import PILLARS

    return PILLARS


def _statuses() -> tuple[str, ...]:
    from bilateral.agenda.schema import STATUSES

    return STATUSES


def _normalise_status(value: str) -> str:
    from bilateral.agenda.schema import normalise_status

    return normalise_status(value)


def _registry(value: object) -> Path:
    """The updates file: read and rewritten in place, so a regular file (or absent); a symlink is followed."""
    from bilateral.agenda.registry import check_updates_path

    try:
        return check_updates_path(Path(str(value)).expanduser(), "--registry")
    except BilateralError as exc:
        raise ValueError(str(exc)) from None


def _short(text: str, width: int = TEXT_WIDTH) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _usd_bn(v: float | None) -> str:
    return "—" if v is None else f"US${v / 1e9:,.2f} bn"


def register(app: typer.Typer) -> None:
    """Register `agenda` and `check` on the app."""

    @app.command("agenda")
    def agenda(
        action: Annotated[str, typer.Argument(parser=choice(ACTIONS, name="action", fold=False),
            help="list (default), show ID, update ID, or timeline.")] = "list",
        cid: Annotated[str | None, typer.Argument(metavar="[ID]", help="Commitment id (for show and update).")] = None,
        pillar: Annotated[str | None, typer.Option("--pillar", parser=choice(_pillars, name="pillar"),
            help="Only this pillar (list, timeline).")] = None,
        status: Annotated[str | None, typer.Option("--status", parser=choice(_statuses, name="status", key=_normalise_status),
            help="Filter (list, timeline) or the new status "
                                                   "(update): announced, in progress, achieved, stalled, absent, "
                                                   "superseded.")] = None,
        evidence: Annotated[str | None, typer.Option("--evidence", help="update: what the source shows, in your "
                                                     "own words.")] = None,
        source: Annotated[str | None, typer.Option("--source", help="update: the source's URL.")] = None,
        on: Annotated[str | None, typer.Option("--date", parser=day(FIRST_EVIDENCE_DATE),
            help="update: the source's date, YYYY-MM-DD.")] = None,
        publisher: Annotated[str | None, typer.Option("--publisher", help="update: publisher (default: the "
                                                      "URL's host).")] = None,
        registry: Annotated[Path | None, typer.Option("--registry", parser=_registry, help="Updates file (default: "
                                                      "$BILATERAL_AGENDA, else agenda-updates.yml next to the "
                                                      "store).")] = None,
        fmt: FormatOpt = "table",
        out: OutOpt = None,
        store: StoreOpt = None,
    ) -> None:
        """The summit's commitments: list, show ID, update ID (with evidence), timeline."""

        def body() -> None:
            from bilateral.output import check_format

            check_format(fmt)
            if action not in ACTIONS:
                raise BilateralError(f"unknown action {action!r}; use one of {', '.join(ACTIONS)}")
            if action in ("show", "update") and not cid:
                raise BilateralError(f"`bilateral agenda {action}` needs a commitment id, e.g. "
                                     f"`bilateral agenda {action} defence-relos`")
            if action in ("list", "timeline") and cid:
                raise BilateralError(f"`bilateral agenda {action}` takes no id; use `bilateral agenda show {cid}`")
            if action == "update":
                _update(cid or "", status, evidence, source, on, publisher, registry, store, fmt, out)
            elif action == "show":
                _show(cid or "", registry, store, fmt, out)
            elif action == "timeline":
                _timeline(pillar, status, registry, store, fmt, out)
            else:
                _list(pillar, status, registry, store, fmt, out)

        run(body)

    @app.command("check")
    def check(
        file: Annotated[Path, typer.Argument(parser=input_path("article", ARTICLE_MAX_BYTES),
                                             help="An article: plain text or HTML.")],
        on: Annotated[str | None, typer.Option("--date", parser=day(FIRST_ARTICLE_DATE),
            help="The article's date, YYYY-MM-DD (resolves 'last "
                                               "year'); default: a date found in the article.")] = None,
        pair: PairOpt = "IND-RUS",
        fmt: FormatOpt = "table",
        out: OutOpt = None,
        store: StoreOpt = None,
    ) -> None:
        """Check an article's trade figures against the store: consistent, differs, target or unverifiable."""

        def body() -> None:
            from bilateral.agenda.claims import judge, prepare, read_article
            from bilateral.api import open_store, parse_pair
            from bilateral.output import check_format

            check_format(fmt)
            p = parse_pair(pair)
            when = None
            if on is not None:
                try:
                    when = date.fromisoformat(on)
                except ValueError:
                    raise BilateralError(f"--date {on!r} is not a date; write it as YYYY-MM-DD") from None
            prepared = prepare(read_article(file), when, pair=p)  # read and extract before the store is opened
            with open_store(store, read_only=True) as s:
                checks = judge(s, prepared)
            rows = [c.record() for c in checks]

            def render(console: Any) -> None:
                from rich.table import Table

                t = Table(title=f"Claims in {file.name}: {len(checks)}", title_justify="left", show_lines=True)
                for col in ("sentence", "claim", "our figure · source", "verdict"):
                    t.add_column(col, overflow="fold", ratio=2 if col == "sentence" else 1)
                for c in checks:
                    src = c.source if len(c.source) <= 60 else _short(c.source, 60)
                    t.add_row(_short(c.claim.sentence, 90), c.claim_label, f"{c.our_label}\n[dim]{src}[/dim]",
                              f"[bold]{c.verdict}[/bold]\n{c.reason}" if c.reason else f"[bold]{c.verdict}[/bold]")
                console.print(t)

            emit(fmt, out, [c.to_dict() for c in checks], rows, render)

        run(body)


def _list(pillar: str | None, status: str | None, registry: Path | None, store: Path | None, fmt: str,
          out: Path | None) -> None:
    from bilateral.agenda.registry import load_registry

    reg = load_registry(registry, store=store)
    items = reg.select(pillar, status)

    def render(console: Any) -> None:
        from rich.table import Table

        t = Table(title=f"{reg.summit.get('name', 'Summit')} — {len(items)} commitments", title_justify="left")
        for col in ("commitment (id · pillar · kind)", "status", "evi-\ndence"):
            t.add_column(col, justify="right" if col.startswith("evi") else "left", no_wrap=not col.startswith("commit"))
        for c in items:
            t.add_row(f"{_short(c.text)}\n[dim]{c.id} · {c.pillar} · {c.kind}[/dim]", c.status, str(len(c.evidence)))
        console.print(t)
        if reg.updates:
            console.print(f"{reg.updates} update(s) merged from {reg.updates_file}")

    emit(fmt, out, [c.to_dict() for c in items], [c.record() for c in items], render)


def _show(cid: str, registry: Path | None, store: Path | None, fmt: str, out: Path | None) -> None:
    from bilateral.agenda.registry import linked_figure, load_registry

    c = load_registry(registry, store=store).get(cid)
    fig = None
    if c.indicator is not None:
        from bilateral.api import open_store

        with open_store(store, read_only=True) as s:
            fig = linked_figure(s, c)
    obj = {**c.to_dict(), "linked": fig.to_dict() if fig else None}
    rows = [{"id": c.id, "status": c.status, "date": e.date, "publisher": e.publisher, "url": e.url,
             "shows": e.shows, "evidence_status": e.status, "origin": e.origin} for e in c.evidence]

    def render(console: Any) -> None:
        from rich.table import Table

        console.print(f"[bold]{c.id}[/bold] ({c.pillar}, {c.kind}; {' and '.join(c.parties)}; {c.date})")
        console.print(c.text)
        console.print(f"status: [bold]{c.status}[/bold]")
        if fig is not None:
            line = f"{fig.label}, {fig.period}: {_usd_bn(fig.value_usd)}"
            if fig.target_usd is not None:
                line += f" of {_usd_bn(fig.target_usd)} by {fig.target_by}"
            if fig.share is not None:
                line += f" ({fig.share:.1%})"
            console.print(f"{line} — {fig.source}")
            if fig.note:
                console.print(fig.note)
            for sector, value in fig.detail:
                console.print(f"  {sector}: US${value / 1e6:,.1f} mn")
        t = Table(title="Evidence", title_justify="left")
        for col in ("date", "publisher", "shows", "status", "url"):
            t.add_column(col, overflow="fold")
        for e in c.evidence:
            t.add_row(e.date, e.publisher, e.shows, e.status or "(context)", e.url)
        if not c.evidence:
            console.print("no evidence yet: the status stays 'announced' until a source shows more")
        else:
            console.print(t)
        h = Table(title="Status history", title_justify="left")
        for col in ("date", "status", "source", "recorded"):
            h.add_column(col, overflow="fold")
        for sc in c.history:
            h.add_row(sc.date, sc.status, sc.source or "—", sc.recorded)
        console.print(h)

    emit(fmt, out, obj, rows, render)


def _timeline(pillar: str | None, status: str | None, registry: Path | None, store: Path | None, fmt: str,
              out: Path | None) -> None:
    from bilateral.agenda.registry import load_registry

    reg = load_registry(registry, store=store)
    keep = {c.id for c in reg.select(pillar, status)}
    rows = [{"date": d, "id": c.id, "pillar": c.pillar, "status": e.status, "publisher": e.publisher,
             "shows": e.shows, "url": e.url} for d, c, e in reg.timeline() if c.id in keep]

    def render(console: Any) -> None:
        from rich.table import Table

        t = Table(title="Agenda timeline (evidence by date)", title_justify="left")
        for col in ("date", "id", "status", "publisher", "shows"):
            t.add_column(col, overflow="fold")
        for r in rows:
            t.add_row(r["date"], r["id"], r["status"] or "(context)", r["publisher"], _short(r["shows"], 80))
        console.print(t)

    emit(fmt, out, rows, rows, render)


def _update(cid: str, status: str | None, evidence: str | None, source: str | None, on: str | None,
            publisher: str | None, registry: Path | None, store: Path | None, fmt: str, out: Path | None) -> None:
    from bilateral.agenda.registry import load_registry, record_update, updates_path

    missing = [name for name, v in (("--status", status), ("--evidence", evidence), ("--source", source),
                                    ("--date", on)) if not v]
    if missing:
        raise BilateralError(f"`bilateral agenda update` needs {', '.join(missing)}; e.g. --status achieved "
                             "--evidence \"what the source shows\" --source https://… --date 2026-01-15")
    before = load_registry(registry, store=store).get(cid)
    u = record_update(cid, status=status or "", evidence=evidence or "", source=source or "", on=on or "",
                      path=registry, store=store, publisher=publisher)
    where = str(updates_path(registry, store))
    obj = {"id": cid, "previous_status": before.status, **u.as_yaml_entry(), "file": where}

    def render(console: Any) -> None:
        console.print(f"{cid}: {before.status} → {u.status} ({u.date}, {u.publisher}); recorded in {where}")

    emit(fmt, out, obj, [obj], render)
