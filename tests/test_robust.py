"""Process-level robustness (issue 26): what needs a real process, a real signal, a real file system.

- Writes never replace what is at the path: a FIFO or a symlink to one as the agenda's updates file is
  refused and left alone; a symlink to a regular file is followed (the link stays); permissions kept.
- Ctrl-C late in an ISO3 ingest: one line, exit 130, nothing loaded.
- SIGKILL at twenty-odd moments of a load, including the commit window: the store is always either as
  before or fully loaded, and the next run completes.
- A full disk during the ingest of the real 2024 world matrix (a 60 MB tmpfs in a private mount
  namespace): one line, the store's content and size as before, and a small ingest works after.
- An ingest runs to completion while ``bilateral serve`` answers, and the server then serves it.
- A closed pipe exits 141 quietly; an ASCII-only terminal gets '?' instead of a traceback.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import stat
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import duckdb
import pytest
from test_bad_input import content
from typer.testing import CliRunner

from bilateral.cli import app
from bilateral.store.faults import FAULT_ENV

BILATERAL = [sys.executable, "-m", "bilateral.cli"]
UPDATE = ["agenda", "update", "defence-relos", "--status", "achieved", "--evidence", "In force.", "--source",
          "https://example.org/relos", "--date", "2026-01-10"]
# SYNTHETIC values in the ISO3/US-dollar layout, real country and HS codes
ISO3_ROWS = "year,exporter,importer,hs6,value_usd\n2024,BRA,CHN,120190,1500000\n2024,CHN,BRA,851762,2500000\n"


def _env(store: Path, **more: str) -> dict[str, str]:
    return {**os.environ, "BILATERAL_STORE": str(store), **more}


# -- safe writes -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["fifo", "symlink to a fifo"])
def test_agenda_updates_file_that_is_a_fifo_is_refused_and_left_alone(kind, tmp_path, store_path):
    """`BILATERAL_AGENDA=/dev/null … agenda update` replaced /dev/null; a FIFO (or a link to one) stands in for it."""
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    target = fifo if kind == "fifo" else tmp_path / "link.yml"
    if target != fifo:
        target.symlink_to(fifo)
    r = CliRunner().invoke(app, [*UPDATE, "--store", str(store_path)], env={"BILATERAL_AGENDA": str(target)})
    assert r.exit_code == 1, r.output
    assert r.stderr == (f"error: $BILATERAL_AGENDA {target} is a named pipe (FIFO), not a regular file; only regular "
                        "files are written (give a file path)\n")
    assert stat.S_ISFIFO(os.stat(fifo).st_mode), "the FIFO is still a FIFO"
    assert target.is_symlink() == (kind != "fifo")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted({"pipe", target.name})


def test_a_symlinked_updates_file_is_followed_and_the_link_kept(tmp_path, store_path):
    real = tmp_path / "shared" / "agenda-updates.yml"
    real.parent.mkdir()
    link = tmp_path / "mine.yml"
    link.symlink_to(real)
    r = CliRunner().invoke(app, [*UPDATE, "--store", str(store_path), "--registry", str(link)])
    assert r.exit_code == 2 and "is a symlink to" in r.stderr and "which does not exist" in r.stderr, r.output
    assert not real.exists(), "a link to nothing is refused, not followed into a new file"
    r = CliRunner().invoke(app, [*UPDATE, "--store", str(store_path), "--registry", str(real)])
    assert r.exit_code == 0, r.output
    second = ["agenda", "update", "health-kaluga-pharma", "--status", "in progress", "--evidence", "Work began.",
              "--source", "https://example.org/kaluga", "--date", "2026-03-02"]
    r = CliRunner().invoke(app, [*second, "--store", str(store_path), "--registry", str(link)])
    assert r.exit_code == 0, r.output
    assert link.is_symlink() and os.readlink(link) == str(real), "the link still points where it did"
    text = real.read_text()
    assert "defence-relos" in text and "health-kaluga-pharma" in text, "both updates are in the linked file"
    r = CliRunner().invoke(app, ["agenda", "show", "health-kaluga-pharma", "--store", str(store_path), "--registry",
                                 str(link)])
    assert r.exit_code == 0 and "in progress" in r.stdout


def test_out_keeps_the_permissions_of_the_file_it_replaces(tmp_path, store_path):
    out = tmp_path / "releases.csv"
    out.write_text("old\n")
    out.chmod(0o640)
    r = CliRunner().invoke(app, ["releases", "-f", "csv", "--out", str(out), "--store", str(store_path)])
    assert r.exit_code == 0, r.output
    assert stat.S_IMODE(out.stat().st_mode) == 0o640 and out.read_text().startswith("release,")
    new = tmp_path / "new.csv"
    old_umask = os.umask(0o022)
    try:
        r = CliRunner().invoke(app, ["releases", "-f", "csv", "--out", str(new), "--store", str(store_path)])
    finally:
        os.umask(old_umask)
    assert r.exit_code == 0, r.output
    assert stat.S_IMODE(new.stat().st_mode) == 0o644, "a new file: 0666 less the umask, not a temp file's 0600"


def test_out_through_a_symlink_replaces_its_target_and_keeps_the_link(tmp_path, store_path):
    real = tmp_path / "real.csv"
    real.write_text("old\n")
    link = tmp_path / "link.csv"
    link.symlink_to(real)
    r = CliRunner().invoke(app, ["releases", "-f", "csv", "--out", str(link), "--store", str(store_path)])
    assert r.exit_code == 0, r.output
    assert link.is_symlink() and real.read_text().startswith("release,")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.csv", "real.csv"]


def test_quarantine_equal_to_the_input_never_overwrites_it(tmp_path, fresh_store_path):
    src = tmp_path / "matrix.csv"
    src.write_text(ISO3_ROWS + "2024,BRA,CHN,120190,-5\n")  # the duplicate key with a negative value is bad
    before = src.read_bytes()
    store_before = content(fresh_store_path)
    r = CliRunner().invoke(app, ["ingest", "baci", str(src), "--quarantine", str(src), "--store", str(fresh_store_path)])
    assert r.exit_code == 1, r.output
    assert r.stderr == (f"error: --quarantine {src} is a file this command reads (an input or the store); write to "
                        "another path\n")
    assert src.read_bytes() == before and content(fresh_store_path) == store_before


def test_failed_store_creation_leaves_no_file(tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        if os.access(folder, os.W_OK):
            pytest.skip("running as root: a read-only folder is still writable")
        r = CliRunner().invoke(app, ["overview", "--store", str(folder / "s.duckdb")])
        assert r.exit_code == 1 and r.stderr.startswith("error: ") and r.stderr.count("\n") == 1, r.output
        assert list(folder.iterdir()) == []
    finally:
        folder.chmod(0o755)


def test_a_store_that_cannot_be_set_up_leaves_no_file(tmp_path, monkeypatch):
    """The embedded load fails (a disk error, simulated): the new store file is removed, not left half made."""
    from bilateral.sources import embedded

    def fail(store):  # type: ignore[no-untyped-def]
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(embedded, "ensure_loaded", fail)
    r = CliRunner().invoke(app, ["overview", "--store", str(tmp_path / "new.duckdb")])
    assert r.exit_code == 1 and r.stderr == "error: No space left on device\n", r.output
    assert list(tmp_path.iterdir()) == []


# -- Ctrl-C and SIGKILL ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("point", ["iso3-staged", "iso3-inserted", "before-commit"])
def test_ctrl_c_late_in_an_iso3_ingest_is_one_line_and_130(point, tmp_path, fresh_store_path):
    src = tmp_path / "m.csv"
    src.write_text(ISO3_ROWS)
    before = content(fresh_store_path)
    proc = subprocess.Popen([*BILATERAL, "ingest", "baci", str(src), "--store", str(fresh_store_path)],
                            env={**os.environ, FAULT_ENV: point}, stderr=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert proc.stderr is not None
    assert proc.stderr.readline().strip() == f"paused at {point}"
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert (proc.returncode, err, out) == (130, "interrupted: nothing was loaded\n", "")
    assert content(fresh_store_path) == before
    assert sorted(p.name for p in fresh_store_path.parent.iterdir()) == sorted([fresh_store_path.name, src.name])


def test_ctrl_c_after_the_commit_says_so(tmp_path, fresh_store_path):
    src = tmp_path / "m.csv"
    src.write_text(ISO3_ROWS)
    proc = subprocess.Popen([*BILATERAL, "ingest", "baci", str(src), "--store", str(fresh_store_path)],
                            env={**os.environ, FAULT_ENV: "committed"}, stderr=subprocess.PIPE, stdout=subprocess.PIPE,
                            text=True)
    assert proc.stderr is not None and proc.stderr.readline().strip() == "paused at committed"
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert (proc.returncode, err) == (130, "interrupted after the load was committed\n")
    with duckdb.connect(str(fresh_store_path), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM releases WHERE release = 'baci/ISO3/m/2024'").fetchone() == (1,)


#: named moments of a load to kill at, then moments by the clock (fractions of a whole load's wall time,
#: measured in the same run so that a fast machine is not killed only after the load has finished)
KILL_POINTS = ["iso3-staged", "iso3-inserted", "before-commit", "committed"]
KILL_FRACTIONS = [0.1 + 0.8 * i / 17 for i in range(18)]


@pytest.mark.slow
def test_sigkill_at_any_moment_leaves_the_store_before_or_after(tmp_path, fresh_store_path):
    """Twenty-two kills of one ingest: at four named moments (the commit window among them) and at 18
    moments spread over a load's measured wall time."""
    rows = ["year,exporter,importer,hs6,value_usd"]
    codes = ["BRA", "CHN", "IND", "RUS", "DEU", "USA", "JPN", "KOR", "FRA", "ITA"]
    rows += [f"2024,{e},{m},{100000 + k:06d},{1000 + k}" for e in codes for m in codes if e != m for k in range(2000)]
    src = tmp_path / "m.csv"
    src.write_text("\n".join(rows) + "\n")  # SYNTHETIC: 180,000 rows
    pristine = tmp_path / "pristine.duckdb"
    shutil.copyfile(fresh_store_path, pristine)
    before = content(fresh_store_path)
    done = tmp_path / "done.duckdb"
    shutil.copyfile(pristine, done)
    started = time.monotonic()
    r = subprocess.run([*BILATERAL, "ingest", "baci", str(src), "--store", str(done)], capture_output=True, text=True)
    whole = time.monotonic() - started
    assert r.returncode == 0, r.stderr
    after = content(done)
    assert after != before
    seen = {"before": 0, "after": 0}
    kills = 0
    wal = fresh_store_path.with_name(fresh_store_path.name + ".wal")
    for how in [*KILL_POINTS, *(f * whole for f in KILL_FRACTIONS)]:
        wal.unlink(missing_ok=True)  # the last kill's log belongs to the last copy, not to this one
        shutil.copyfile(pristine, fresh_store_path)
        env = {**os.environ, **({FAULT_ENV: how} if isinstance(how, str) else {})}
        proc = subprocess.Popen([*BILATERAL, "ingest", "baci", str(src), "--store", str(fresh_store_path)], env=env,
                                stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
        if isinstance(how, str):
            assert proc.stderr is not None and proc.stderr.readline().strip() == f"paused at {how}"
        else:
            time.sleep(how)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)
        if proc.returncode == -signal.SIGKILL:
            kills += 1
        now = content(fresh_store_path)
        assert now in (before, after), f"kill at {how}: the store is neither as before nor fully loaded"
        seen["before" if now == before else "after"] += 1
        if how == "committed":
            assert now == after, "killed after the commit: the load stays"
    # the named moments always land; of the timed ones, most must (the load's speed varies from run to run)
    assert kills >= len(KILL_POINTS) + len(KILL_FRACTIONS) // 2, f"only {kills} kills landed (a load takes {whole:.2f} s)"
    assert seen["before"] and seen["after"], seen
    # the next run completes, and a killed load leaves nothing behind once it has
    r = CliRunner().invoke(app, ["ingest", "baci", str(src), "--store", str(fresh_store_path)])
    assert r.exit_code == 0, r.output
    assert content(fresh_store_path) == after
    leftovers = [p.name for p in fresh_store_path.parent.iterdir() if p.name.startswith(".")]
    assert leftovers == [], leftovers


# -- a full disk -----------------------------------------------------------------------------------------------

DISK_FULL_SCRIPT = r"""
import json, os, shutil, subprocess, sys
mnt, store, world, small, py = sys.argv[1:6]
subprocess.run(["mount", "-t", "tmpfs", "-o", "size=60m", "tmpfs", mnt], check=True)
s = os.path.join(mnt, "s.duckdb")
shutil.copyfile(store, s)
size0 = os.path.getsize(s)
cli = [py, "-m", "bilateral.cli"]
env = dict(os.environ, BILATERAL_STORE=s)
big = subprocess.run(cli + ["ingest", "baci", world], capture_output=True, text=True, env=env)
size1 = os.path.getsize(s)
left = sorted(os.listdir(mnt))
shutil.copyfile(s, store + ".after-full")
again = subprocess.run(cli + ["ingest", "baci", small], capture_output=True, text=True, env=env)
print(json.dumps({"big": [big.returncode, big.stdout, big.stderr], "sizes": [size0, size1], "left": left,
                  "small": [again.returncode, again.stdout, again.stderr]}))
"""


def _private_mount_namespace(probe_dir: Path) -> list[str] | None:
    """The command prefix that runs a program in its own mount namespace (root, or a user namespace)."""
    if shutil.which("unshare") is None or shutil.which("mount") is None:
        return None
    for prefix in (["unshare", "-m", "--propagation", "private"], ["unshare", "-rm", "--propagation", "private"]):
        probe = subprocess.run([*prefix, "mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(probe_dir)],
                               capture_output=True)
        if probe.returncode == 0:
            return prefix
    return None


@pytest.mark.slow
@pytest.mark.shared
def test_a_full_disk_during_the_world_matrix_ingest(tmp_path, fresh_store_path, shared):
    world = shared / "baci2024" / "world_hs6_2024.parquet"
    mnt = tmp_path / "mnt"
    mnt.mkdir()
    prefix = _private_mount_namespace(mnt)
    if prefix is None:
        pytest.skip("cannot mount a small tmpfs here (needs root or user namespaces with `unshare`)")
    small = tmp_path / "small.csv"
    small.write_text(ISO3_ROWS)
    before = content(fresh_store_path)
    script = tmp_path / "full.py"
    script.write_text(DISK_FULL_SCRIPT)
    run = subprocess.run([*prefix, sys.executable, str(script), str(mnt), str(fresh_store_path), str(world), str(small),
                          sys.executable], capture_output=True, text=True, timeout=900)
    assert run.returncode == 0, run.stderr[-2000:]
    got = json.loads(run.stdout.strip().splitlines()[-1])
    code, out, err = got["big"]
    assert code == 1 and out == "", err
    assert err.count("\n") == 1 and err.startswith(f"error: the disk holding store {mnt / 's.duckdb'} is full: this load "
                                                   "needs about 79.5 MB free ("), err
    assert "Nothing was loaded and the store is as before" in err
    size0, size1 = got["sizes"]
    assert abs(size1 - size0) <= 1_000_000, f"the store grew from {size0:,} to {size1:,} bytes"
    assert got["left"] == ["s.duckdb"], "no reserve, WAL or temp file is left on the full disk"
    assert content(Path(str(fresh_store_path) + ".after-full")) == before
    code, out, err = got["small"]
    assert code == 0 and "baci/ISO3/small/2024" in out, err


# -- serve and ingest at once ----------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _get(url: str) -> tuple[int, dict[str, object]]:
    try:
        with urllib.request.urlopen(url, timeout=30) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"{}")


@pytest.mark.slow
def test_an_ingest_runs_while_serve_answers_and_the_server_then_serves_it(tmp_path, fresh_store_path):
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen([*BILATERAL, "serve", "--port", str(port), "--store", str(fresh_store_path)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        for _ in range(300):
            try:
                if _get(f"{base}/api/health")[0] == 200:
                    break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail("the server did not start")
        assert _get(f"{base}/api/totals?pair=IND-RUS")[0] == 200
        assert _get(f"{base}/api/overview?pair=BRA-CHN&period=CY2024")[0] == 404  # not loaded yet
        answers: list[int] = []
        stop = threading.Event()

        def poll() -> None:  # a reader hitting the server all through the ingest
            while not stop.is_set():
                answers.append(_get(f"{base}/api/totals?pair=IND-RUS")[0])
                answers.append(_get(f"{base}/api/overview?pair=IND-RUS&period=FY2024-25")[0])

        t = threading.Thread(target=poll)
        t.start()
        try:
            src = tmp_path / "m.csv"
            src.write_text(ISO3_ROWS)
            ingest = subprocess.run([*BILATERAL, "ingest", "baci", str(src), "--store", str(fresh_store_path)],
                                    capture_output=True, text=True, timeout=120)
        finally:
            stop.set()
            t.join()
        assert ingest.returncode == 0, ingest.stderr
        assert "baci/ISO3/m/2024" in ingest.stdout
        assert answers and set(answers) == {200}, f"the server kept answering from the last committed data: {answers}"
        status, body = _get(f"{base}/api/overview?pair=BRA-CHN&period=CY2024")
        assert status == 200, body
        totals = body["totals"]
        assert isinstance(totals, dict)
        assert totals["exports_usd"] == 1_500_000 and totals["imports_usd"] == 2_500_000
        assert totals["release"] == "baci/ISO3/m/2024" or "baci/ISO3/m/2024" in json.dumps(totals)
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


# -- pipes and terminals ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(("args", "head"), [
    (["export", "flows", "--format", "csv"], b"source,release,"),
    # a rich table: rich's own handling of a closed pipe exits 1; the read-only fast exit keeps 141
    (["overview", "--period", "2024-25"], b"IND-RUS trade, FY2024-25"),
])
def test_a_closed_pipe_exits_141_quietly(store_path, args, head):
    """`bilateral export flows | head -1`: the reader goes away; no traceback, the shells' code for SIGPIPE."""
    proc = subprocess.Popen([*BILATERAL, *args, "--store", str(store_path)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None and proc.stderr is not None
    first = proc.stdout.readline()
    proc.stdout.close()
    err = proc.stderr.read()
    proc.wait(timeout=60)
    assert first.startswith(head)
    assert (proc.returncode, err) == (141, b"")


def test_an_ascii_terminal_gets_question_marks_not_a_traceback(store_path):
    run = subprocess.run([*BILATERAL, "overview", "--store", str(store_path)], capture_output=True,
                         env={**os.environ, "PYTHONIOENCODING": "ascii", "COLUMNS": "120"})
    assert run.returncode == 0, run.stderr
    assert run.stderr == b""
    assert b"US$ million" in run.stdout and b"?" in run.stdout
    run.stdout.decode("ascii")  # every byte ASCII


# -- bounded work ----------------------------------------------------------------------------------------------


def test_rca_top_0_streams_every_cell_as_plain_lines(store_path, tmp_path):
    out = tmp_path / "rca.txt"
    r = CliRunner().invoke(app, ["rca", "--top", "0", "--out", str(out), "--store", str(store_path)])
    assert r.exit_code == 0, r.output
    lines = out.read_text().splitlines()
    assert lines[0] == "RCA (Balassa), 2024, 516,764 exporter × product cells"
    assert lines[1].split() == ["exporter", "product", "exports", "(US$", "mn)", "RCA"]
    body = lines[3:-2]
    assert len(body) == 516_764
    first = body[0].split()
    assert first[:2] == ["ABW", "970400"] and first[3] == "507.55"
    assert lines[-2].startswith("Trade complementarity of IND's exports with RUS's imports: 41.6")
