"""Nothing a user gives the CLI can break it (issue 26): a table of bad inputs, each one line and no harm.

Every case runs the real CLI in-process (typer's test runner, through the same click group as the
console script) and must give: a non-zero exit (2 for a usage error: unknown option, bad value,
missing command; 1 for a problem found in the work), exactly one line on stderr starting with
``error: `` (nothing on stdout, no traceback), the store's content unchanged (compared table by
table), and no file in the test folders created, changed or removed. Inputs are real files of
every awkward kind: FIFOs, sockets, symlinks, folders, binary files, a 200 MB sparse file, CSVs
and JSON with out-of-range years, unknown codes, overflowing and non-finite values.

The cases come from the issue's trial (255 inputs across every command) and more; each line of
``CASES`` is (id, arguments, exit code, words the error must contain[, environment]).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import socket
import stat
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pytest
from test_baci import COUNTRIES, FLOWS, PRODUCTS, VERSION, write_release
from typer.testing import CliRunner

from bilateral.cli import app

#: seconds a case may take before it counts as hung (a FIFO read would block forever)
CASE_TIMEOUT = 60
USAGE, FAILED = 2, 1


@dataclass(frozen=True)
class Case:
    """One bad input: the CLI arguments ({in}: the inputs folder, {store}: the store), the exit code, the words."""

    id: str
    args: tuple[str, ...]
    code: int
    says: str
    env: dict[str, str] = field(default_factory=dict)


def c(id_: str, args: str | list[str], code: int, says: str, **env: str) -> Case:
    """A case; ``args`` split on spaces unless given as a list."""
    return Case(id_, tuple(args.split() if isinstance(args, str) else args), code, says, env)


COMMANDS_WITH_FORMAT = ["overview", "releases", "export flows", "indicators", "flows", "target", "agenda",
                        "check {in}/article.txt", "settlement", "potential", "rca",
                        "corridors --from INNSA --to Moscow", "ingest baci {in}/ok.csv", "ingest eidb {in}/eidb-ok",
                        "ingest comtrade", "embedded build --shared {in}"]
ALL_COMMANDS = COMMANDS_WITH_FORMAT + ["serve", "brief --out {in}/b.html"]
PAIR_COMMANDS = ["overview", "indicators", "flows", "target", "settlement", "potential", "brief --out {in}/b.html",
                 "check {in}/article.txt"]
BAD_PAIRS = [("XYZ-RUS", "XYZ is not a country code"), ("India", "not a country pair"),
             ("IND-RUS-CHN", "not a country pair"), ("IND-699", "not a country pair"), ("", "not a country pair"),
             ("QQQ-XYZ", "QQQ is not a country code"), ("I" * 500, "not a country pair")]
BAD_PERIODS = [("40000", "not a period"), ("CY-2024", "not a period"), ("FY99999-00", "not a period"),
               ("2024-26", "not a period"), ("abc", "not a period"), ("CY0", "not a period"),
               ("FY1800-01", "outside 1962"), ("CY1900", "outside 1962"), ("CY2200", "outside 1962")]
BAD_COUNTS = [("abc", "not a whole number"), ("-1", "is negative"), ("99999999999999999999", "too large"),
              ("1e3", "not a whole number"), ("1.5", "not a whole number"), ("2000000", "too large"),
              ("9" * 60, "not a whole number")]
BAD_YEARS = [("40000", "outside the data's years"), ("0", "outside the data's years"),
             ("-2024", "outside the data's years"), ("abc", "not a whole number"), ("1900", "outside the data's years"),
             ("2099", "outside the data's years")]
BAD_YEAR_LISTS = [("2099", "outside the data's years"), ("0-5", "outside the data's years"),
                  ("2024-2019", "runs backwards"), ("abc", "not a year or range"), ("1900", "outside"),
                  ("40000", "outside"), ("2019,,2020", "not a year or range"), ("1962-2026000", "not a year or range")]

CASES: list[Case] = [
    # -- usage: unknown options, missing commands and arguments, stray arguments ----------------------------
    *[c(f"unknown option: {cmd.split()[0]} {cmd.split()[1] if cmd.startswith(('ingest', 'embedded')) else ''}",
        f"{cmd} --bogus", USAGE, "no such option --bogus") for cmd in ALL_COMMANDS],
    c("misspelt option suggests", "overview --pari", USAGE, "did you mean --pair"),
    c("no command", "", USAGE, "needs a command: one of overview"),
    c("ingest without a source", "ingest", USAGE, "`bilateral ingest` needs a command: one of baci, eidb, comtrade"),
    c("embedded without a command", "embedded", USAGE, "`bilateral embedded` needs a command: one of build"),
    c("unknown command", "overveiw", USAGE, "no such command 'overveiw'"),
    c("unknown ingest source", "ingest foo", USAGE, "no such command 'foo'"),
    c("unknown embedded command", "embedded nope", USAGE, "no such command 'nope'"),
    c("option without its value: --pair", "overview --pair", USAGE, "--pair needs a value"),
    c("option without its value: --level", "flows --level", USAGE, "--level needs a value"),
    c("option without its value: --top", "potential --top", USAGE, "--top needs a value"),
    c("option without its value: --out", "releases --out", USAGE, "--out needs a value"),
    c("option without its value: --store", "releases --store", USAGE, "--store needs a value"),
    c("option without its value: --date", "corridors --from INNSA --to Moscow --date", USAGE, "--date needs a value"),
    c("missing --from", "corridors", USAGE, "needs --from"),
    c("missing --to", "corridors --from INNSA", USAGE, "needs --to"),
    c("missing article", "check", USAGE, "needs file"),
    c("missing BACI path", "ingest baci", USAGE, "needs path"),
    c("missing EIDB path", "ingest eidb", USAGE, "needs path"),
    c("missing --shared", "embedded build", USAGE, "needs --shared"),
    c("missing table", "export", USAGE, "needs table"),
    c("stray argument: overview", "overview extra", USAGE, "unexpected extra argument"),
    c("stray argument: releases", "releases x", USAGE, "unexpected extra argument"),
    c("stray argument: flows", "flows a b", USAGE, "unexpected extra argument"),
    # -- --format on every command ----------------------------------------------------------------------------
    *[c(f"bad --format: {cmd.split()[0]} {cmd.split()[1] if cmd.startswith(('ingest', 'embedded')) else ''}",
        f"{cmd} --format xml", USAGE, "unknown --format 'xml'; use one of") for cmd in COMMANDS_WITH_FORMAT],
    c("bad --format: serve", "serve --format yaml", USAGE, "unknown --format 'yaml'; use one of text, json"),
    c("bad --format: brief", "brief --out {in}/b.html --format pdf", USAGE, "unknown --format 'pdf'; use one of html"),
    c("empty --format", ["overview", "--format", ""], USAGE, "unknown --format ''"),
    # -- country pairs, periods ------------------------------------------------------------------------------
    *[c(f"bad --pair {value[:12]!r}: {cmd.split()[0]}", [*cmd.split(), "--pair", value], USAGE, says)
      for cmd in PAIR_COMMANDS[:4] for value, says in BAD_PAIRS],
    *[c(f"bad --pair 'XYZ-RUS': {cmd.split()[0]}", [*cmd.split(), "--pair", "XYZ-RUS"], USAGE, "XYZ is not a country code")
      for cmd in PAIR_COMMANDS[4:]],
    *[c(f"bad --period {value!r}: {cmd}", [cmd, "--period", value], USAGE, says)
      for cmd in ("overview", "indicators") for value, says in BAD_PERIODS],
    # -- counts, seeds, years --------------------------------------------------------------------------------
    *[c(f"bad --top {value[:24]!r}: {cmd}", [cmd, "--top", value], USAGE, says)
      for cmd in ("potential", "rca") for value, says in BAD_COUNTS],
    *[c(f"bad --year {value!r}: {cmd}", [cmd, "--year", value], USAGE, says)
      for cmd in ("potential", "rca") for value, says in BAD_YEARS],
    *[c(f"bad --years {value!r}: ingest {src.split()[0]}", [*f"ingest {src}".split(), "--years", value], USAGE, says)
      for src in ("baci {in}/ok.csv", "comtrade") for value, says in BAD_YEAR_LISTS],
    c("--years with no such year in the file", "ingest baci {in}/ok.csv --years 2023", FAILED,
      "no rows for 2023 (it holds 2024); nothing was loaded"),
    # -- target -------------------------------------------------------------------------------------------
    *[c(f"target --target-usd {v}", ["target", "--target-usd", v], USAGE, says) for v, says in [
        ("nan", "not a finite number"), ("inf", "not a finite number"), ("-inf", "not a finite number"),
        ("-1", "out of range"), ("0", "out of range"), ("1e308", "too large"), ("abc", "not a number"),
        ("1e400", "not a finite number")]],
    *[c(f"target --seed {v}", ["target", "--seed", v], USAGE, says) for v, says in [
        ("-1", "not a seed"), ("4294967296", "not a seed"), ("abc", "not a whole number"), ("1e3", "not a whole number"),
        ("99999999999999999999", "not a seed")]],
    *[c(f"target --by {v}", ["target", "--by", v], USAGE, says) for v, says in [
        ("FY3000-01", "outside 2000"), ("abc", "not a period"), ("1999", "outside 2000"), ("FY40000-01", "not a period")]],
    *[c(f"target --base {v}", ["target", "--base", v], USAGE, says) for v, says in [
        ("abc", "not a period"), ("40000", "not a period"), ("CY1800", "outside 1962")]],
    c("target --scenario binary", "target --scenario {in}/binary.yml", USAGE, "holds binary data"),
    c("target --scenario FIFO", "target --scenario {in}/pipe.yml", USAGE, "is a named pipe (FIFO)"),
    c("target --scenario symlink to a FIFO", "target --scenario {in}/link-to-pipe.yml", USAGE, "named pipe"),
    c("target --scenario folder", "target --scenario {in}/dir.yml", USAGE, "is a folder"),
    c("target --scenario missing", "target --scenario {in}/missing.yml", USAGE, "no such file"),
    c("target --scenario device", "target --scenario /dev/zero", USAGE, "is a character device"),
    c("target --scenario too big", "target --scenario {in}/big.txt", USAGE, "may be at most"),
    c("target --scenario Latin-1", "target --scenario {in}/latin1.yml", USAGE, "is not UTF-8 text"),
    # every number in a scenario file bounded, one line naming the file, the key and the value (issue 28)
    *[c(f"target --scenario {slug}", f"target --scenario {{in}}/target-{slug}.yml", FAILED, says)
      for slug, says in [
          ("other-1e308", "target-other-1e308.yml, field 'scenarios.s.other_imports_growth': growth 1e+308 is too large"),
          ("energy-minus-2", "field 'scenarios.s.energy_volume_growth': growth -2 is out of range; give a number above -1"),
          ("export-huge", "field 'scenarios.s.exports_growth.pharmaceuticals': growth 20 is too large; the most "
                          "accepted is 5"),
          ("export-text", "field 'scenarios.s.exports_growth.default': growth 'lots' is not a number"),
          ("export-bool", "field 'scenarios.s.exports_growth.default': growth True is not a number"),
          ("brent-1e9", "scenario 's': brent_usd: price US$/bbl 1e+09 is too large; the most accepted is 500"),
          ("forecast-brent-1e308", "forecast_brent_usd: price US$/bbl 1e+308 is too large")]],
    c("target --chart FIFO", "target --chart {in}/pipe.png", USAGE, "--chart"),
    c("target --html folder", "target --html {in}/dir.html", USAGE, "is a directory"),
    # -- settlement ------------------------------------------------------------------------------------------
    *[c(f"settlement {opt} {v}", ["settlement", opt, v], USAGE, says) for opt in ("--from", "--to")
      for v, says in [("abc", "not a period"), ("FY3000-01", "outside 2000"), ("40000", "not a period")]],
    c("settlement --scenario binary", "settlement --scenario {in}/binary.yml", USAGE, "holds binary data"),
    c("settlement --scenario FIFO", "settlement --scenario {in}/pipe.yml", USAGE, "named pipe"),
    c("settlement --scenario folder", "settlement --scenario {in}/dir.yml", USAGE, "is a folder"),
    c("settlement --scenario unknown name", "settlement --scenario nope", FAILED, "unknown scenario 'nope'"),
    *[c(f"settlement --scenario {slug}", f"settlement --scenario {{in}}/settle-{slug}.yml", FAILED, says)
      for slug, says in [
          ("growth-1e308", "settle-growth-1e308.yml, field 'defaults.other_imports_growth': growth 1e+308 is too large"),
          ("growth-range-1e300", "field 'defaults.exports_growth.range.high': growth 1e+300 is too large"),
          ("payments-1e300", "field 'defaults.defence.payments_usd': US$ 1e+300 is too large; the most accepted is 1e+15"),
          ("cap-1e300", "field 'scenarios.s.overrides.channels.government_securities.cap_usd': US$ 1e+300 is too large"),
          ("rate-1e300", "field 'defaults.inr_per_usd.FY2025-26': rate 1e+300 is too large; the most accepted is 1e+06"),
          ("rate-growth-9", "field 'defaults.rub_per_usd.growth': growth 9 is too large"),
          ("opening-1e300", "field 'defaults.opening_balance_inr': rupees 1e+300 is too large")]],
    c("settlement --chart FIFO", "settlement --chart {in}/pipe.png", USAGE, "named pipe"),
    # -- corridors -------------------------------------------------------------------------------------------
    *[c(f"corridors --date {v}", ["corridors", "--from", "INNSA", "--to", "Moscow", "--date", v], USAGE, says)
      for v, says in [("2026-02-30", "no such day in the calendar"), ("15/03/2026", "not a date '15/03/2026'"),
                      ("1899-01-01", "outside 2000-01-01"), ("2200-01-01", "outside 2000-01-01"),
                      ("abc", "not a date"), ("2026-13-01", "no such day"), ("20260315", "not a date")]],
    *[c(f"corridors {opt} {v}", ["corridors", "--from", "INNSA", "--to", "Moscow", opt, v], USAGE, says)
      for opt, v, says in [("--scenario", "war", "unknown --scenario 'war'"), ("--cargo", "bulk", "unknown --cargo"),
                           ("--vessel", "vlcc", "unknown --vessel"),
                           ("--astara-congestion", "nan", "not a finite number"),
                           ("--astara-congestion", "inf", "not a finite number"),
                           ("--astara-congestion", "0", "out of range"), ("--astara-congestion", "-1", "out of range"),
                           ("--astara-congestion", "11", "too large"), ("--astara-congestion", "abc", "not a number"),
                           ("--geojson", "{in}/pipe.json", "named pipe"), ("--map", "{in}/dir.html", "is a directory")]],
    c("corridors unknown place", "corridors --from INNSA --to Atlantis", FAILED, "unknown place 'Atlantis'"),
    c("corridors same place", "corridors --from INNSA --to INNSA", FAILED, "the same place"),
    # -- flows, export ---------------------------------------------------------------------------------------
    *[c(f"flows --level {v}", ["flows", "--level", v], USAGE, says) for v, says in [
        ("3", "--level 3 is not one of 0, 2, 4, 6, 8"), ("9", "not one of"), ("-1", "not one of"),
        ("abc", "not a whole number")]],
    c("flows --source unknown", "flows --source nope", USAGE, "unknown --source 'nope'; use one of official"),
    c("flows --source empty", ["flows", "--source", ""], USAGE, "unknown --source ''"),
    c("flows with no data", "flows --pair CHN-RUS", FAILED, "no trade figures for CHN-RUS in the store"),
    c("export unknown table", "export nope", USAGE, "unknown table 'nope'; use one of flows"),
    c("export SQL in the table name", ["export", "flows; DROP TABLE flows"], USAGE, "unknown table"),
    c("export empty table name", ["export", ""], USAGE, "unknown table ''"),
    c("export parquet to stdout", "export flows --format parquet", FAILED, "needs --out"),
    c("export --partition without parquet", "export flows --partition --out {in}/p", FAILED, "--partition needs"),
    # -- ingest comtrade ------------------------------------------------------------------------------------
    *[c(f"comtrade {opt} {v!r}", ["ingest", "comtrade", opt, v], USAGE, says) for opt, v, says in [
        ("--reporter", "XXX", "'XXX' is not a country code"), ("--reporter", "699", "'699' is not a country code"),
        ("--reporter", "", "'' is not a country code"), ("--partner", "QQQ", "'QQQ' is not a country code"),
        ("--flow", "Y", "unknown --flow 'Y'"), ("--flow", "X,Y", "unknown --flow"), ("--level", "3", "not one of"),
        ("--level", "8", "not one of"), ("--deadline", "nan", "not a finite number"),
        ("--deadline", "inf", "not a finite number"), ("--deadline", "0", "out of range"),
        ("--deadline", "-1", "out of range"), ("--deadline", "1e9", "too large")]],
    c("comtrade --cache FIFO", "ingest comtrade --cache {in}/pipe.csv", FAILED, "COMTRADE_API_KEY"),
    # -- agenda ----------------------------------------------------------------------------------------------
    c("agenda unknown action", "agenda dance", USAGE, "unknown action 'dance'; use one of list, show"),
    c("agenda unknown pillar", "agenda --pillar space", USAGE, "unknown --pillar 'space'"),
    c("agenda unknown status", "agenda --status done", USAGE, "unknown --status 'done'"),
    *[c(f"agenda update --date {v}", ["agenda", "update", "defence-relos", "--status", "achieved", "--evidence", "x",
                                      "--source", "https://example.org/a", "--date", v, "--registry", "{in}/u.yml"],
        USAGE, says) for v, says in [("1900-01-01", "outside 2000-10-03"), ("2999-01-01", "outside"),
                                     ("abc", "not a date"), ("2026-02-30", "no such day")]],
    c("agenda update before the commitment", ["agenda", "update", "defence-relos", "--status", "achieved", "--evidence",
                                               "x", "--source", "https://example.org/a", "--date", "2001-01-01",
                                               "--registry", "{in}/u.yml"], FAILED, "is before the commitment itself"),
    c("agenda update bad URL", ["agenda", "update", "defence-relos", "--status", "achieved", "--evidence", "x",
                                "--source", "javascript:alert(1)", "--date", "2026-01-10", "--registry", "{in}/u.yml"],
      FAILED, "is not a web address"),
    c("agenda update missing evidence", "agenda update defence-relos --status achieved --registry {in}/u.yml",
      FAILED, "needs --evidence, --source, --date"),
    c("agenda show unknown id", "agenda show nope", FAILED, "no commitment 'nope'"),
    c("agenda --registry FIFO", "agenda list --registry {in}/pipe.yml", USAGE, "named pipe"),
    c("agenda --registry folder", "agenda list --registry {in}/dir.yml", USAGE, "is a directory"),
    c("agenda --registry symlink to a FIFO", "agenda list --registry {in}/link-to-pipe.yml", USAGE, "named pipe"),
    c("agenda --registry dangling symlink", "agenda list --registry {in}/dangling.yml", USAGE, "which does not exist"),
    c("agenda --registry binary", "agenda list --registry {in}/binary.yml", FAILED, "holds binary data"),
    c("agenda --registry broken YAML", "agenda list --registry {in}/broken.yml", FAILED, "broken.yml"),
    *[c(f"$BILATERAL_AGENDA {what}: update", ["agenda", "update", "defence-relos", "--status", "achieved", "--evidence",
                                              "x", "--source", "https://example.org/a", "--date", "2026-01-10"],
        FAILED, says, BILATERAL_AGENDA=f"{{in}}/{name}")
      for what, name, says in [("FIFO", "pipe.yml", "named pipe"), ("symlink to a FIFO", "link-to-pipe.yml", "named pipe"),
                               ("folder", "dir.yml", "is a directory"), ("socket", "sock.csv", "is a socket")]],
    c("$BILATERAL_AGENDA FIFO: list", "agenda list", FAILED, "named pipe", BILATERAL_AGENDA="{in}/pipe.yml"),
    # -- check -----------------------------------------------------------------------------------------------
    c("check /dev/zero", "check /dev/zero", USAGE, "is a character device"),
    c("check FIFO", "check {in}/pipe.csv", USAGE, "is a named pipe (FIFO)"),
    c("check socket", "check {in}/sock.csv", USAGE, "is a socket"),
    c("check folder", "check {in}/dir.yml", USAGE, "is a folder"),
    c("check missing file", "check {in}/missing.txt", USAGE, "no such file"),
    c("check 200 MB file", "check {in}/big.txt", USAGE, "may be at most 2 MB"),
    c("check binary file", "check {in}/binary.txt", FAILED, "binary data"),
    c("check --date far past", "check {in}/article.txt --date 1900-01-01", USAGE, "outside 1962-01-01"),
    c("check --date future", "check {in}/article.txt --date 2999-01-01", USAGE, "outside"),
    c("check --date not a date", "check {in}/article.txt --date yesterday", USAGE, "not a date"),
    c("check --out the article itself", "check {in}/article.txt --format csv --out {in}/article.txt", FAILED,
      "is a file this command reads"),
    # -- serve, brief ------------------------------------------------------------------------------------------
    *[c(f"serve --port {v}", ["serve", "--port", v], USAGE, says) for v, says in [
        ("0", "--port"), ("70000", "--port"), ("abc", "--port"), ("-1", "--port")]],
    c("serve --host not this machine's", "serve --host 192.0.2.1 --port 8799", FAILED, "cannot listen"),
    c("serve --out FIFO", "serve --out {in}/pipe.json", USAGE, "named pipe"),
    c("brief --out folder", "brief --out {in}/dir.html", USAGE, "is a directory"),
    c("brief --out FIFO", "brief --out {in}/pipe.html", USAGE, "named pipe"),
    c("brief --out symlink to a FIFO", "brief --out {in}/link-to-pipe.html", USAGE, "named pipe"),
    c("brief --pdf with json", "brief --out {in}/b.json --format json --pdf", FAILED, "--pdf prints the HTML brief"),
    c("brief without --out", "brief", FAILED, "give --out"),
    # -- embedded build ------------------------------------------------------------------------------------------
    c("embedded build --shared missing", "embedded build --shared {in}/nowhere", USAGE, "no such file"),
    c("embedded build --shared FIFO", "embedded build --shared {in}/pipe.csv", USAGE, "named pipe"),
    c("embedded build --dest a file", "embedded build --shared {in} --dest {in}/article.txt", USAGE, "--dest"),
    # -- potential -----------------------------------------------------------------------------------------------
    c("potential --pair and --exporter", "potential --pair IND-RUS --exporter IND", FAILED, "not both"),
    c("potential --exporter unknown", "potential --exporter XYZ", USAGE, "'XYZ' is not a country code"),
    c("potential --exporter numeric", "potential --exporter 699", USAGE, "'699' is not a country code"),
    c("rca --exporter unknown", "rca --exporter XYZ", USAGE, "'XYZ' is not a country code"),
    c("rca --exporter empty", ["rca", "--exporter", ""], USAGE, "is not a country code"),
    *[c(f"potential --product {v!r}", ["potential", "--product", v], USAGE, "is not an HS code")
      for v in ("abc", "12345", "3004901", "", "30-04")],
    c("potential --sector unknown", "potential --sector spaceships", FAILED, "spaceships"),
    c("potential --engine unknown", "potential --engine pandas", USAGE, "unknown --engine 'pandas'; use one of duckdb"),
    c("rca --engine unknown", "rca --engine ray", USAGE, "unknown --engine 'ray'"),
    c("potential --year not loaded", "potential --year 2020", FAILED, "no world trade matrix for 2020"),
    c("potential --tariffs binary", "potential --tariffs {in}/binary.csv", USAGE, "holds binary data"),
    c("potential --tariffs FIFO", "potential --tariffs {in}/pipe.csv", USAGE, "named pipe"),
    c("potential --tariffs folder", "potential --tariffs {in}/dir.csv", USAGE, "is a folder"),
    c("potential --tariffs missing", "potential --tariffs {in}/missing.csv", USAGE, "no such file"),
    c("potential --tariffs negative factor", "potential --tariffs {in}/tariffs-negative.csv", FAILED,
      "tariff_factor must be positive"),
    c("potential --tariffs not a number", "potential --tariffs {in}/tariffs-nan.csv", FAILED, "is not a number"),
    # -- --out: only regular files, never an input -------------------------------------------------------------
    *[c(f"--out {what}: {cmd.split()[0]}", [*cmd.split(), "--format", "csv", "--out", f"{{in}}/{name}"],
        FAILED if cmd.startswith("export") and what == "folder" else code, says)  # export --partition writes folders
      for cmd in ("overview", "releases", "export releases")
      for what, name, code, says in [
          ("FIFO", "pipe.csv", USAGE, "is a named pipe (FIFO), not a regular file"),
          ("symlink to a FIFO", "link-to-pipe.csv", USAGE, "named pipe"),
          ("dangling symlink", "dangling.csv", USAGE, "which does not exist"),
          ("folder", "dir.csv", USAGE, "is a directory"),
          ("socket", "sock.csv", USAGE, "is a socket"),
          ("under a file", "article.txt/x.csv", USAGE, "a part of its folder path is a file"),
          ("name too long", "o" * 300 + ".csv", USAGE, "is too long for the file system"),
          ("the store", "store.duckdb", FAILED, "is a file this command reads")]],
    c("--out /dev/zero", "releases --format csv --out /dev/zero", USAGE, "is a character device"),
    c("--out empty", ["releases", "--out", ""], USAGE, "an empty path"),
    # -- --store ------------------------------------------------------------------------------------------
    c("--store folder", "releases --store {in}/dir.csv", USAGE, "is a directory"),
    c("--store FIFO", "releases --store {in}/pipe.csv", USAGE, "named pipe"),
    c("--store socket", "releases --store {in}/sock.csv", USAGE, "is a socket"),
    c("--store /dev/zero", "releases --store /dev/zero", USAGE, "character device"),
    c("--store not DuckDB", "releases --store {in}/article.txt", FAILED, "is not a DuckDB database"),
    c("--store truncated", "overview --store {in}/truncated.duckdb", FAILED, "cannot"),
    c("--store empty path", ["releases", "--store", ""], USAGE, "an empty path"),
    c("--store under a file", "releases --store {in}/article.txt/s.duckdb", FAILED, "a part of its folder path is a file"),
    c("$BILATERAL_STORE FIFO", "releases", FAILED, "named pipe", BILATERAL_STORE="{in}/pipe.csv"),
    c("$BILATERAL_STORE folder", "releases", FAILED, "is a directory", BILATERAL_STORE="{in}/dir.csv"),
    # -- environment ------------------------------------------------------------------------------------------
    *[c(f"$COLUMNS={v!r}", "overview", USAGE, "is not a terminal width", COLUMNS=v) for v in ("0", "-5", "abc", "5")],
    *[c(f"$BILATERAL_LOCK_WAIT={v!r}", "overview", FAILED, "is not a wait in seconds", BILATERAL_LOCK_WAIT=v)
      for v in ("inf", "nan", "-1", "soon", "1e9")],
    # -- ingest baci: files of the wrong kind ----------------------------------------------------------------
    *[c(f"ingest baci {what}", ["ingest", "baci", path], USAGE, says) for what, path, says in [
        ("FIFO", "{in}/pipe.csv", "named pipe"), ("FIFO parquet", "{in}/pipe.parquet", "named pipe"),
        ("socket", "{in}/sock.csv", "is a socket"), ("/dev/zero", "/dev/zero", "character device"),
        ("missing", "{in}/missing.csv", "no such file"), ("dangling symlink", "{in}/dangling.csv", "symlink"),
        ("symlink to a FIFO", "{in}/link-to-pipe.csv", "named pipe")]],
    *[c(f"ingest baci {what}", ["ingest", "baci", *f"{{in}}/{name}".split()], FAILED, says) for what, name, says in [
        ("empty file", "empty.csv", "file is empty"), ("binary .csv", "binary.csv", "cannot read the file"),
        ("bad zip", "bad.zip", "not a BACI release"), ("header only (ISO3)", "iso3-header-only.csv", "no data rows"),
        ("year 0", "iso3-year-0.csv", "year 0 is outside the data's years"),
        ("year -2024", "iso3-year-neg.csv", "year -2024 is outside"),
        ("year 40000", "iso3-year-40000.csv", "year 40000 is outside"),
        ("year 2099", "iso3-year-2099.csv", "year 2099 is outside"),
        ("year not a number", "iso3-year-abc.csv", "year is not an integer"),
        ("unknown exporter XYZ", "iso3-xyz.csv", "exporter XYZ is not a known country code"),
        ("unknown importer QQQ", "iso3-qqq.csv", "importer QQQ is not a known country code"),
        ("numeric code 699", "iso3-699.csv", "exporter 699 is not a known country code"),
        ("value 1.7e308", "iso3-huge.csv", "larger than US$1e15"),
        ("value 1e400", "iso3-1e400.csv", "value"),
        ("negative value", "iso3-negative.csv", "value is negative"),
        ("value nan", "iso3-nan.csv", "value is not a number"),
        ("value inf", "iso3-inf.csv", "value is not a number"),
        ("value text", "iso3-text.csv", "value is not a number"),
        ("same exporter and importer", "iso3-self.csv", "the same country"),
        ("HS6 of five digits", "iso3-hs5.csv", "HS6 code is not six digits"),
        ("duplicate key", "iso3-dup.csv", "duplicate key"),
        ("no year column", "iso3-no-year.csv", "has no year column"),
        ("missing column", "iso3-no-value.csv", "lacks the column(s) value_usd (found year, exporter"),
        ("huge value (Parquet)", "iso3-huge.parquet", "larger than US$1e15"),
        ("every row bad, with --quarantine", "iso3-year-0.csv --quarantine {in}/q-new.csv",
         "no valid row to load: all 1 were rejected (the first: year 0 is outside")]],
    c("ingest baci --years on a file without that year", "ingest baci {in}/ok.csv --years 2020", FAILED,
      "no rows for 2020"),
    *[c(f"ingest baci release: {what}", ["ingest", "baci", f"{{in}}/rel-{slug}"], FAILED, says) for what, slug, says in [
        ("negative value", "neg", "value is negative"), ("unknown exporter", "unknown", "unknown exporter code 841"),
        ("wrong year", "year", "is not the file's year 2022"), ("truncated", "trunc", "truncated"),
        ("header only", "header", "no data rows"), ("UTF-16", "utf16", "UTF-16")]],
    # -- --quarantine: only regular files, never the input ---------------------------------------------------
    *[c(f"ingest baci --quarantine {what}", ["ingest", "baci", "{in}/rel-neg", "--quarantine", f"{{in}}/{name}"],
        code, says) for what, name, code, says in [
        ("folder", "dir.csv", USAGE, "is a directory"), ("FIFO", "pipe.csv", USAGE, "named pipe"),
        ("symlink to a FIFO", "link-to-pipe.csv", USAGE, "named pipe"), ("socket", "sock.csv", USAGE, "is a socket"),
        ("the input file", f"rel-neg/BACI_HS17_Y2022_{VERSION}.csv", FAILED, "is a file this command reads"),
        ("the store", "store.duckdb", FAILED, "is a file this command reads")]],
    c("ingest baci ISO3 --quarantine the input", "ingest baci {in}/iso3-mixed.csv --quarantine {in}/iso3-mixed.csv",
      FAILED, "is a file this command reads"),
    *[c(f"ingest eidb --quarantine {what}", ["ingest", "eidb", "{in}/eidb-countries-text", "--quarantine",
                                             f"{{in}}/{name}"], USAGE, says) for what, name, says in [
        ("folder", "dir.csv", "is a directory"), ("FIFO", "pipe.csv", "named pipe")]],
    # -- ingest eidb: wrong types, nesting, overflows ------------------------------------------------------
    *[c(f"ingest eidb {what}", ["ingest", "eidb", path], USAGE, says) for what, path, says in [
        ("FIFO", "{in}/pipe.json", "named pipe"), ("missing", "{in}/missing", "no such file"),
        ("/dev/zero", "/dev/zero", "character device")]],
    *[c(f"ingest eidb {what}", ["ingest", "eidb", f"{{in}}/eidb-{slug}"], FAILED, says) for what, slug, says in [
        ("countries as text", "countries-text", "field 'years[2024].countries': input should be a valid list"),
        ("total as text", "total-abc", "value 'abc' is not a number"),
        ("value 1e400", "value-1e400", "larger than US$1e15"),
        ("value as true", "value-bool", "field 'years[2024].countries[0].values_usd.y2024_2025': should be a whole "
                                        "number or a number or text (got True)"),
        ("page year 99999", "year-99999", "page key is not a year"),
        ("page year 1800", "year-1800", "page year 1800 is outside the data's years"),
        ("deep nesting", "deep", "nested too deeply"),
        ("years as a list", "years-list", "no 'years' object"),
        ("hsn_code a list", "hsn-list", "field 'hsn_code': should be text or a whole number (got list)"),
        ("country as a number", "country-number", "countries[0].country"),
        ("invalid JSON", "invalid", "not valid JSON"),
        ("binary", "binary", "not UTF-8 text"),
        ("negative quantity", "quantity-negative", "quantity is not a finite non-negative number"),
        ("region with semicolons", "region-semicolon", "wrong delimiter"),
        ("region from 1800", "region-1800", "outside the data's years"),
        ("region total abc", "region-total-abc", "total 'abc' is not a number")]],
]


# -- the inputs ---------------------------------------------------------------------------------------------------

ISO3_HEADER = "year,exporter,importer,hs6,value_usd\n"
ISO3_OK = "2024,IND,RUS,300490,1500000\n2024,RUS,IND,270900,2500000\n"
EIDB_PAGE = {"hsn_code": "30049099", "years": {"2024": {
    "commodity": {"hsn_code": "30049099", "unit": "KGS"},
    "countries": [{"sno": 1, "country": "RUSSIA", "values_usd": {"y2023_2024": 10.5, "y2024_2025": 12.25},
                   "values_quantity": {"y2023_2024": 100, "y2024_2025": 120}}],
    "totals": {"total": {"values_usd": {"y2023_2024": 12.25, "y2024_2025": 16.7}}}}}}
REGION_OK = ("S.No.,HSCode,Commodity,2023-2024,2024-2025,%Growth\n1,27,MINERAL FUELS,100.00,120.50,20.5\n"
             ",,Total,100.00,120.50,20.5\n")


def _eidb(folder: Path, slug: str, doc: object | str | bytes, name: str = "30049099_export.json") -> None:
    d = folder / f"eidb-{slug}"
    d.mkdir()
    data = doc if isinstance(doc, bytes) else (doc if isinstance(doc, str) else json.dumps(doc)).encode()
    (d / name).write_bytes(data)


def _page(**change: object) -> dict[str, object]:
    doc = json.loads(json.dumps(EIDB_PAGE))
    page = doc["years"]["2024"]
    for path, value in change.items():
        where: dict[str, object] = page
        keys = path.split("__")
        for k in keys[:-1]:
            where = where[int(k)] if k.isdigit() else where[k]  # type: ignore[index,assignment]
        where[keys[-1]] = value
    return doc


def make_inputs(folder: Path) -> list[socket.socket]:
    """Every awkward input the cases name, in ``folder``; returns the sockets to keep open."""
    for name in ("pipe.csv", "pipe.json", "pipe.yml", "pipe.png", "pipe.html", "pipe.parquet"):
        os.mkfifo(folder / name)
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.bind(str(folder / "sock.csv"))
    for name in ("dir.yml", "dir.csv", "dir.html"):
        (folder / name).mkdir()
    for ext in ("yml", "csv", "html"):
        (folder / f"link-to-pipe.{ext}").symlink_to(folder / f"pipe.{ext if ext != 'html' else 'html'}")
    for ext in ("yml", "csv"):
        (folder / f"dangling.{ext}").symlink_to(folder / f"nothing-here.{ext}")
    blob = bytes(range(256)) * 64
    for name in ("binary.yml", "binary.csv", "binary.txt"):
        (folder / name).write_bytes(blob)
    (folder / "latin1.yml").write_bytes("scenarios:\n  - name: caf\xe9\n".encode("latin-1"))
    with (folder / "big.txt").open("wb") as fh:  # sparse: 200 MB that take no disk
        fh.truncate(200 * 1024 * 1024)
    target = ("forecast_brent_usd: {fb}\nscenarios:\n  - {{name: s, title: S, description: d, brent_usd: {b}, "
              "energy_volume_growth: {e}, other_imports_growth: {o}, exports_growth: {x}}}\n")
    ok = {"fb": "base", "b": "base", "e": "0", "o": "0.05", "x": "{default: 0.05}"}
    for slug, change in {"other-1e308": {"o": "1e308"}, "energy-minus-2": {"e": "-2"},
                         "export-huge": {"x": "{pharmaceuticals: 20}"}, "export-text": {"x": "{default: lots}"},
                         "export-bool": {"x": "{default: yes}"}, "brent-1e9": {"b": "[60, 1e9]"},
                         "forecast-brent-1e308": {"fb": "1.0e308"}}.items():
        (folder / f"target-{slug}.yml").write_text(target.format(**{**ok, **change}))
    settle = "defaults:\n  {d}\nscenarios:\n  - {{name: s, title: S, description: d{o}}}\n"
    for slug, (d, o) in {
            "growth-1e308": ("other_imports_growth: {value: 1e308, assumption: x}", ""),
            "growth-range-1e300": ("exports_growth: {value: 0.05, assumption: x, range: {low: 0, high: 1.0e300, "
                                   "assumption: y}}", ""),
            "payments-1e300": ("defence: {payments_usd: {value: 1.0e300, assumption: x}}", ""),
            "cap-1e300": ("mechanism_start: {value: 2022-07-11, assumption: x}",
                          ", overrides: {channels: {government_securities: {cap_usd: {value: 1.0e300, assumption: x}}}}"),
            "rate-1e300": ("inr_per_usd: {value: {FY2025-26: 1.0e300}, assumption: x}", ""),
            "rate-growth-9": ("rub_per_usd: {value: {FY2025-26: 90}, growth: 9, assumption: x}", ""),
            "opening-1e300": ("opening_balance_inr: {value: 1.0e300, assumption: x}", "")}.items():
        (folder / f"settle-{slug}.yml").write_text(settle.format(d=d, o=o))
    (folder / "article.txt").write_text("India-Russia trade reached US$68.7 billion in FY2024-25.\n")
    (folder / "broken.yml").write_text("updates:\n- id: defence-relos\n  status: won\n")
    (folder / "empty.csv").write_bytes(b"")
    (folder / "bad.zip").write_bytes(b"PK\x03\x04" + b"\x00" * 40)
    (folder / "tariffs-negative.csv").write_text("hs6,tariff_factor\n300490,-1\n")
    (folder / "tariffs-nan.csv").write_text("hs6,tariff_factor\n300490,abc\n")
    (folder / "ok.csv").write_text(ISO3_HEADER + ISO3_OK)
    iso3 = {
        "header-only": "", "year-0": "0,IND,RUS,300490,1\n", "year-neg": "-2024,IND,RUS,300490,1\n",
        "year-40000": "40000,IND,RUS,300490,1\n", "year-2099": "2099,IND,RUS,300490,1\n",
        "year-abc": "abc,IND,RUS,300490,1\n", "xyz": "2024,XYZ,RUS,300490,1\n", "qqq": "2024,IND,QQQ,300490,1\n",
        "699": "2024,699,RUS,300490,1\n", "huge": "2024,IND,RUS,300490,1.7e308\n", "1e400": "2024,IND,RUS,300490,1e400\n",
        "negative": "2024,IND,RUS,300490,-5\n", "nan": "2024,IND,RUS,300490,nan\n", "inf": "2024,IND,RUS,300490,inf\n",
        "text": "2024,IND,RUS,300490,lots\n", "self": "2024,IND,IND,300490,1\n", "hs5": "2024,IND,RUS,30049,1\n",
        "dup": "2024,IND,RUS,300490,1\n2024,IND,RUS,300490,2\n", "mixed": ISO3_OK + "2024,IND,RUS,270900,-1\n"}
    for slug, rows in iso3.items():
        (folder / f"iso3-{slug}.csv").write_text(ISO3_HEADER + rows)
    (folder / "iso3-no-year.csv").write_text("exporter,importer,hs6,value_usd\nIND,RUS,300490,1\n")
    (folder / "iso3-no-value.csv").write_text("year,exporter,importer,hs6\n2024,IND,RUS,300490\n")
    con = duckdb.connect()
    con.execute(f"COPY (SELECT 2024::SMALLINT AS year, 'IND' AS exporter, 'RUS' AS importer, '300490' AS hs6, "
                f"1.7e308::DOUBLE AS value_usd) TO '{folder / 'iso3-huge.parquet'}' (FORMAT parquet)")
    con.close()
    releases = {"neg": FLOWS.replace("600.75", "-600.75"), "unknown": FLOWS.replace("2022,842,490", "2022,841,490"),
                "year": FLOWS.replace("2022,699,251", "2021,699,251"), "trunc": FLOWS[:-8], "header": "t,i,j,k,v,q\n",
                "utf16": FLOWS.encode("utf-16")}
    for slug, flows in releases.items():
        write_release(folder / f"rel-{slug}", flows, COUNTRIES, PRODUCTS)
    _eidb(folder, "ok", EIDB_PAGE)
    _eidb(folder, "countries-text", _page(countries="ALGERIA"))
    _eidb(folder, "total-abc", _page(totals__total__values_usd__y2023_2024="abc"))
    _eidb(folder, "value-1e400", _page(countries__0__values_usd__y2024_2025="1e400"))
    _eidb(folder, "value-bool", _page(countries__0__values_usd__y2024_2025=True))
    _eidb(folder, "quantity-negative", _page(countries__0__values_quantity__y2024_2025=-5))
    _eidb(folder, "country-number", _page(countries__0__country=643))
    doc = json.loads(json.dumps(EIDB_PAGE))
    _eidb(folder, "year-99999", {**doc, "years": {"99999": doc["years"]["2024"]}})
    _eidb(folder, "year-1800", {**doc, "years": {"1800": doc["years"]["2024"]}})
    _eidb(folder, "years-list", {**doc, "years": [1, 2]})
    _eidb(folder, "hsn-list", {**doc, "hsn_code": ["30049099"]})
    _eidb(folder, "deep", '{"hsn_code": "30049099", "years": {"2024": ' + "[" * 100_000 + "]" * 100_000 + "}}")
    _eidb(folder, "invalid", '{"hsn_code": "30049099", "years": {')
    _eidb(folder, "binary", blob)
    for slug, text in {"region-semicolon": REGION_OK.replace(",", ";"),
                       "region-1800": REGION_OK.replace("2023-2024,2024-2025", "1800-1801,1801-1802"),
                       "region-total-abc": REGION_OK.replace(",,Total,100.00", ",,Total,abc")}.items():
        d = folder / f"eidb-{slug}"
        d.mkdir()
        (d / "import_2024-25_other-cis-countries.csv").write_text(text)
    return [sock]


# -- the checks -----------------------------------------------------------------------------------------------------


def content(store: Path) -> list[object]:
    """The store's content: every table's row count and the sum of its rows' hashes.

    Timestamps of when a row was written (``loaded_at``, ``applied_at``) are left out: two loads of the
    same file hold the same content.
    """
    con = duckdb.connect(str(store), read_only=True)
    try:
        tables = [r[0] for r in con.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = "
                                            "'main' AND table_type = 'BASE TABLE' ORDER BY 1").fetchall()]
        out: list[object] = []
        for t in tables:
            cols = [r[0] for r in con.execute("SELECT column_name FROM information_schema.columns WHERE table_name = ? "
                                              "AND data_type NOT LIKE 'TIMESTAMP%' ORDER BY ordinal_position",
                                              [t]).fetchall()]
            fields = ", ".join(f'"{c}" := "{c}"' for c in cols)
            row = con.execute(f'SELECT count(*), sum(hash(struct_pack({fields}))) FROM "{t}"').fetchone()
            out.append((t, *(row or ())))
        return out
    finally:
        con.close()


def tree(folder: Path, skip: frozenset[str] = frozenset()) -> dict[str, tuple[object, ...]]:
    """Every entry under ``folder`` (not following links) with its kind, size and modification time."""
    out: dict[str, tuple[object, ...]] = {}
    for root, dirs, files in os.walk(folder):
        for name in dirs + files:
            p = Path(root) / name
            rel = str(p.relative_to(folder))
            if rel in skip:
                continue
            st = p.lstat()
            out[rel] = (stat.S_IFMT(st.st_mode), st.st_size if stat.S_ISREG(st.st_mode) else 0, st.st_mtime_ns)
    return out


@dataclass
class Suite:
    inputs: Path
    store: Path
    pristine: Path
    baseline: list[object]


@pytest.fixture(scope="module")
def suite(tmp_path_factory: pytest.TempPathFactory, store_path: Path) -> Iterator[Suite]:
    folder = tmp_path_factory.mktemp("bad-inputs")
    keep = make_inputs(folder)
    store = folder / "store.duckdb"
    shutil.copyfile(store_path, store)
    (folder / "truncated.duckdb").write_bytes(store.read_bytes()[: 1024 * 1024])  # a store cut short
    pristine = tmp_path_factory.mktemp("pristine") / "store.duckdb"
    shutil.copyfile(store_path, pristine)
    yield Suite(folder, store, pristine, content(store))
    for s in keep:
        s.close()


class Hung(Exception):
    """A case ran past CASE_TIMEOUT (a blocking read of a FIFO, an unbounded loop)."""


def _alarm(signum: int, frame: object) -> None:
    raise Hung(f"no answer within {CASE_TIMEOUT} s")


def test_the_table_holds_enough_cases() -> None:
    assert len(CASES) >= 250, len(CASES)
    assert len({x.id for x in CASES}) == len(CASES), "case ids are unique"


@pytest.mark.parametrize("case", CASES, ids=[x.id for x in CASES])
def test_bad_input_is_one_line_and_harmless(case: Case, suite: Suite, monkeypatch: pytest.MonkeyPatch) -> None:
    fill = {"in": str(suite.inputs), "store": str(suite.store)}
    args = [a.format(**fill) for a in case.args]
    env = {"BILATERAL_STORE": str(suite.store), "BILATERAL_LOCK_WAIT": "0", "COLUMNS": "120",
           "COMTRADE_API_KEY": "", "BILATERAL_CACHE": str(suite.inputs / "cache-not-created"),
           **{k: v.format(**fill) for k, v in case.env.items()}}
    monkeypatch.chdir(suite.inputs)
    store_file = suite.store.name
    before = tree(suite.inputs, frozenset({store_file}))
    before_store = suite.store.stat()
    old = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(CASE_TIMEOUT)
    try:
        result = CliRunner().invoke(app, args, env=env)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)
    try:
        assert not isinstance(result.exception, Hung), f"hung: {args}"
        assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
        assert result.stdout == "", f"stdout: {result.stdout!r}"
        lines = result.stderr.splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: "), f"stderr: {result.stderr!r}"
        assert "Traceback" not in result.output
        assert result.exit_code == case.code, f"exit {result.exit_code}: {lines[0]}"
        assert case.says in lines[0], lines[0]
        assert tree(suite.inputs, frozenset({store_file})) == before, "a file was created, changed or removed"
        after_store = suite.store.stat()
        if (after_store.st_size, after_store.st_mtime_ns) != (before_store.st_size, before_store.st_mtime_ns):
            assert content(suite.store) == suite.baseline, "the store's content changed"
    except AssertionError:
        shutil.copyfile(suite.pristine, suite.store)  # the next case starts from the store as it was
        for p in suite.inputs.iterdir():
            if p.name not in before and p.name != store_file:
                shutil.rmtree(p) if p.is_dir() and not p.is_symlink() else p.unlink()
        raise


def test_a_case_that_changes_the_store_is_caught(suite: Suite) -> None:
    """The content check is not vacuous: a real load changes what it compares."""
    copy = suite.inputs.parent / "probe.duckdb"
    shutil.copyfile(suite.pristine, copy)
    r = CliRunner().invoke(app, ["ingest", "baci", str(suite.inputs / "ok.csv"), "--store", str(copy)])
    assert r.exit_code == 0, r.output
    assert content(copy) != suite.baseline
    copy.unlink()
    assert hashlib.sha256(suite.pristine.read_bytes()).hexdigest()  # the pristine copy stays readable
