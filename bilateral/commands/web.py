"""``bilateral serve`` (the read-only dashboard) and ``bilateral brief`` (one self-contained HTML document)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal, get_args

import typer

from bilateral.cli_common import OutOpt, PairOpt, StoreOpt, choice, output_path, run, whole
from bilateral.errors import BilateralError
from bilateral.harmonise.pairs import DEFAULT_PAIR
from bilateral.output import write_bytes_atomic

__all__ = ["BriefFormat", "DEFAULT_HOST", "DEFAULT_PORT", "register"]

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
BriefFormat = Literal["html", "json"]
BRIEF_FORMATS: tuple[str, ...] = get_args(BriefFormat)
ServeFormat = Literal["text", "json"]
SERVE_FORMATS: tuple[str, ...] = get_args(ServeFormat)
#: the papers the brief prints on (report.brief.PAPERS holds their sizes)
PAPER_NAMES: tuple[str, ...] = ("a4", "letter")


def _ready_store(store: Path | None) -> Path:
    """Make sure the store exists and holds the embedded release (one writable open), then return its path."""
    from bilateral.api import open_store

    with open_store(store) as s:
        return Path(s.path)


def register(app: typer.Typer) -> None:
    """Add ``serve`` and ``brief`` to the app."""

    @app.command("serve")
    def serve(
        host: Annotated[str, typer.Option("--host", help="Address to listen on (loopback by default).")] = DEFAULT_HOST,
        port: Annotated[int, typer.Option("--port", parser=whole(1, 65535, name="port"), help="TCP port.")] = DEFAULT_PORT,
        fmt: Annotated[str, typer.Option("--format", "-f", parser=choice(SERVE_FORMATS, name="format"),
                                                   help="Start-up record: text (one line) or json.")] = "text",
        out: Annotated[Path | None, typer.Option("--out", "-o", parser=output_path("--out"),
                                                 help="Write the start-up record (URL, store, PID) "
                                                 "to this file instead of stderr.")] = None,
        allow_host: Annotated[list[str] | None, typer.Option(
            "--allow-host", help="Also answer requests for this host name (repeat for several); by default only "
            "the loopback names and a specific --host are answered, others get 400 (DNS rebinding).")] = None,
        store: StoreOpt = None,
    ) -> None:
        """Start the read-only dashboard: pages with charts, a JSON API under /api, OpenAPI at /api/openapi.json.

        The store is opened read-only (loaded with the embedded release first if needed); plotly.js and the
        world map outlines are served from the installed packages, so the dashboard works with no internet.
        It serves until stopped (Ctrl-C); --format/--out say where the start-up record goes.
        """

        def body() -> None:
            import json
            import os

            import uvicorn

            from bilateral.web.app import create_app

            if fmt not in SERVE_FORMATS:
                raise BilateralError(f"unknown --format {fmt!r}; use one of {', '.join(SERVE_FORMATS)}")
            _check_can_listen(host, port)
            path = _ready_store(store)
            web = create_app(path, allowed_hosts=_allowed_hosts(host, allow_host or []))
            url = f"http://{host}:{port}/"
            record = (json.dumps({"url": url, "api": f"{url}api/openapi.json", "store": str(path), "read_only": True,
                                  "pid": os.getpid()}) if fmt == "json"
                      else f"bilateral dashboard on {url} (store {path}, read-only); Ctrl-C stops it")
            if out is not None:
                write_bytes_atomic(out, (record + "\n").encode("utf-8"))
            else:
                typer.echo(record, err=True)
            try:
                uvicorn.run(web, host=host, port=port, log_level="warning")
            except OSError as exc:
                raise BilateralError(f"cannot listen on {host}:{port} ({exc.strerror or exc}); "
                                     "choose another --port or --host") from None
            finally:
                web.state.service.close()

        run(body)

    @app.command("brief")
    def brief(
        pair: PairOpt = DEFAULT_PAIR,
        out: OutOpt = None,
        pdf: Annotated[bool, typer.Option("--pdf", help="Also print it to PDF next to --out (needs Chromium); "
                                                  "--out x.pdf writes x.html and prints it to x.pdf.")] = False,
        paper: Annotated[str, typer.Option("--paper", parser=choice(PAPER_NAMES, name="paper"),
                                           help="Printed page: a4 (default) or letter; sets the PDF and "
                                           "the page size the HTML prints on.")] = "a4",
        fmt: Annotated[str, typer.Option("--format", "-f", parser=choice(BRIEF_FORMATS, name="format"),
                                                   help="html (the document) or json (its data).")] = "html",
        store: StoreOpt = None,
    ) -> None:
        """Write one self-contained HTML brief for a pair, charts embedded, that opens offline.

        Sections: overview, target status, top untapped products by sector, corridor comparison,
        settlement path and agenda status; plotly.js is inlined once. --pdf also prints it with Chromium.
        """

        def body() -> None:
            from bilateral.api import open_store
            from bilateral.harmonise.pairs import parse_pair
            from bilateral.report.brief import build_brief, render_html, write_pdf
            from bilateral.views.base import to_json_bytes

            if fmt not in BRIEF_FORMATS:
                raise BilateralError(f"unknown --format {fmt!r}; use one of {', '.join(BRIEF_FORMATS)}")
            if out is None:
                raise BilateralError("give --out, e.g. --out brief.html (the brief is a file, not terminal output)")
            if out.exists() and out.is_dir():
                raise BilateralError(f"--out {out} is a directory; give a file name such as brief.html")
            from bilateral.report.brief import PAPERS

            if paper not in PAPERS:
                raise BilateralError(f"unknown --paper {paper!r}; use one of {', '.join(PAPERS)}")
            if out.suffix.lower() == ".pdf":  # a PDF asked for by its name: the HTML goes beside it
                if fmt != "html":
                    raise BilateralError(f"--out {out} names a PDF, which is printed from the HTML brief; "
                                         "use it with --format html")
                print_pdf, html_out, pdf_path = True, out.with_suffix(".html"), out
            else:
                print_pdf, html_out, pdf_path = pdf, out, out.with_suffix(".pdf")
            if print_pdf and fmt != "html":
                raise BilateralError("--pdf prints the HTML brief; use it with --format html")
            label = parse_pair(pair).label
            with open_store(store, read_only=True) as s:
                b = build_brief(s, label, store_path=Path(s.path))
            if fmt == "json":
                write_bytes_atomic(out, to_json_bytes(b.to_dict()))
            else:
                write_bytes_atomic(html_out, render_html(b, paper).encode("utf-8"))  # type: ignore[arg-type]
            typer.echo(f"wrote {html_out}", err=True)
            if print_pdf:
                write_pdf(html_out, pdf_path)
                typer.echo(f"wrote {pdf_path}", err=True)

        run(body)


#: bind addresses that stand for every interface (no Host name follows from them)
ANY_ADDRESS = frozenset({"0.0.0.0", "::", ""})


def _allowed_hosts(host: str, extra: list[str]) -> tuple[str, ...]:
    """The Host header values the dashboard answers: loopback names, a specific bind address, --allow-host."""
    from bilateral.web.app import LOOPBACK_HOSTS

    out = list(LOOPBACK_HOSTS)
    for h in ([host] if host not in ANY_ADDRESS else []) + [e.strip().lower() for e in extra]:
        h = h.strip("[]")
        if not h or any(c in h for c in "/ ") or h.count("*") > 1 or ("*" in h and not h.startswith("*.")):
            raise BilateralError("--allow-host takes a host name or address such as dashboard.example.org or "
                                 "*.example.org")
        if h not in out:
            out.append(h)
    return tuple(out)


def _check_can_listen(host: str, port: int) -> None:
    """One line now, instead of uvicorn's log line and exit code 3, when the address cannot be bound."""
    import socket

    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        raise BilateralError(f"cannot listen on {host}:{port} ({exc.strerror}); give --host as an address, "
                             "e.g. 127.0.0.1") from None
    family, kind, proto, _, addr = infos[0]
    with socket.socket(family, kind, proto) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(addr)
        except OSError as exc:
            raise BilateralError(f"cannot listen on {host}:{port} ({exc.strerror or exc}); "
                                 "choose another --port or --host") from None
