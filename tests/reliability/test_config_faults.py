"""Configuration faults: RESEARCH_* settings with bad values, a registry of the wrong shape,
report names that collide with the workbench's own files, impossible parameter values, and a
user's Jupyter configuration that would open `research lab` to anyone.

Each is refused with a clear error (what, where, the fix) and exit code 2 before anything runs,
and nothing in the project changes (every file hashed before and after).
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from runner_project import FIXTURES, PKG, PYTHON, cli_env, make_project, write_registry

from research.cli import main as cli_main
from research.config import settings
from research.runner import orchestrate
from research.runner.cli import lab_command

from .corpus import fingerprint, leftovers

REPORTS = {"ok": {"notebook": "verdict.ipynb", "parameters": {"draw": False}}}


@pytest.fixture
def project(tmp_path, monkeypatch):
    """An unrun project; any attempt to start a notebook fails the test. Yields (root, args)."""
    registry, reports = make_project(tmp_path, REPORTS)
    monkeypatch.setattr(orchestrate, "_execute", lambda *a, **k: pytest.fail("a notebook was started"))
    monkeypatch.setattr(orchestrate, "render_hash", lambda: PKG)
    return tmp_path, ["--registry", str(registry), "--reports-dir", str(reports)]


def refused(capsys, root: Path, argv: list[str], *expected: str, code: int = 2) -> str:
    """Run the CLI, check the exit code, that stderr holds each ``expected`` text, and that no
    file of the project changed or appeared."""
    before = fingerprint(root)
    assert cli_main(argv) == code
    err = capsys.readouterr().err
    for text in expected:
        assert text in err, err
    assert fingerprint(root) == before
    assert not leftovers(root)
    return err


# -- RESEARCH_* settings -------------------------------------------------------------------------

@pytest.mark.parametrize("var", ["RESEARCH_REPORTS_DIR", "RESEARCH_DATA_DIR"])
@pytest.mark.parametrize("command", ["run", "list"])
def test_folder_setting_that_is_a_file(project, capsys, monkeypatch, var, command):
    root, _args = project
    file = root / "notes.txt"
    file.write_text("a file, not a folder\n")
    monkeypatch.setenv(var, str(file))
    monkeypatch.setenv("RESEARCH_ROOT", str(root))
    default = root.resolve() / ("reports" if var == "RESEARCH_REPORTS_DIR" else "data")
    refused(capsys, root, [command, "--registry", str(root / "notebooks" / "reports.toml")],
            f"research: configuration error: {var}={file} is not a folder: {file} is a file. Fix: point "
            f"{var} at a folder (it is created if missing), or unset it for the default ({default}).")


@pytest.mark.parametrize(("var", "value", "default"), [
    ("RESEARCH_REPORT_TIMEOUT", "abc", "1800"),
    ("RESEARCH_REPORT_TIMEOUT", "0", "1800"),
    ("RESEARCH_REPORT_TIMEOUT", "nan", "1800"),
    ("RESEARCH_MAX_REPORT_MB", "-1", "50"),
    ("RESEARCH_DOWNLOAD_TIMEOUT", "inf", "30"),
    ("RESEARCH_MAX_INPUT_MB", "lots", "100"),
    ("RESEARCH_MAX_INPUT_MB", "0", "100"),
])
def test_number_setting_out_of_range(project, capsys, monkeypatch, var, value, default):
    root, args = project
    monkeypatch.setenv(var, value)
    refused(capsys, root, ["run", *args],
            f"research: configuration error: {var} must be a positive number, got {value!r}. Fix: set it "
            f"to a number such as {default}, or unset it for the default ({default}).")


@pytest.mark.parametrize("command", [["list"], ["data", "status"]])
def test_mirror_setting_that_is_a_file(project, capsys, monkeypatch, command):
    root, args = project
    file = root / "data.zip"
    file.write_bytes(b"PK\x05\x06" + bytes(18))  # someone pointed the setting at an archive
    monkeypatch.setenv("RESEARCH_DATA_MIRROR", str(file))
    refused(capsys, root, command + (args[:2] if command == ["list"] else []),
            f"research: configuration error: RESEARCH_DATA_MIRROR={file} is not a folder: {file} is a "
            "file. Fix: point it at a folder laid out like shared/data (french/, fred/, prices/), or set "
            "it empty to use no mirror.")


def test_folder_setting_that_is_a_symlink_loop(project, capsys, monkeypatch):
    root, args = project
    loop = root / "loop"
    loop.symlink_to(loop)
    monkeypatch.setenv("RESEARCH_DATA_DIR", str(loop))
    refused(capsys, root, ["run", *args],
            f"research: configuration error: RESEARCH_DATA_DIR={loop} cannot be used: Symlink loop from "
            f"'{loop}'. Fix: point RESEARCH_DATA_DIR at a folder, or unset it for the default.")


def test_empty_folder_setting_means_the_default(tmp_path, monkeypatch):
    """`RESEARCH_REPORTS_DIR=` (set but empty) must not put reports in the current folder."""
    monkeypatch.setenv("RESEARCH_ROOT", str(tmp_path))
    monkeypatch.chdir(tmp_path)  # Path("") would resolve to this folder
    for var in ("RESEARCH_REPORTS_DIR", "RESEARCH_DATA_DIR"):
        monkeypatch.setenv(var, "  ")
    cfg = settings()
    assert (cfg.reports_dir, cfg.data_dir) == (tmp_path.resolve() / "reports", tmp_path.resolve() / "data")
    assert (cfg.report_timeout, cfg.max_report_mb) == (1800.0, 50.0)  # the documented defaults


def test_reports_dir_option_that_is_a_file(project, capsys):
    root, args = project
    file = root / "reports.html"
    file.write_text("<p>a page</p>\n")
    refused(capsys, root, ["run", "--registry", args[1], "--reports-dir", str(file)],
            f"research: configuration error: {file} is a file where the workbench keeps a folder. Fix: "
            "move it away (or point --reports-dir / RESEARCH_REPORTS_DIR at another folder), then run again.")


@pytest.mark.parametrize("value", ["0", "-5", "nan", "inf"])
def test_timeout_option_out_of_range(project, capsys, value):
    root, args = project
    refused(capsys, root, ["run", *args, "--timeout", value],
            f"research: parameter error: --timeout must be a positive number, got {float(value)!r}")


# -- the registry: shape, names, keys ------------------------------------------------------------

@pytest.mark.parametrize(("text", "shape"), [
    ('[[reports]]\nnotebook = "verdict.ipynb"\n', "an array of tables ([[reports]])"),
    ("reports = 3\n", "an integer"),
    ('reports = "ok"\n', "a string"),
])
def test_registry_of_the_wrong_shape(project, capsys, text, shape):
    root, args = project
    registry = root / "notebooks" / "reports.toml"
    registry.write_text(text)
    for command in (["run", *args], ["list", *args]):
        refused(capsys, root, command,
                f"research: parameter error: {registry}: `reports` is {shape}; write one table per report, "
                '[reports.NAME] with `notebook = "X.ipynb"` (see docs/runner.md)')


RESERVED = {
    "index": "'index' is reserved (index.html would overwrite the scorecard index.html); rename the report",
    "Index": "'Index' is reserved (Index.html would overwrite the scorecard index.html); rename the report",
}


@pytest.mark.parametrize("name", ["index", "Index", "_state", "_failed", "_draft", ".hidden", "ok\n", "a b"])
def test_report_name_that_collides_or_cannot_be_a_file(project, capsys, name):
    root, args = project
    registry = root / "notebooks" / "reports.toml"
    registry.write_text(f'[reports.{json.dumps(name)}]\nnotebook = "verdict.ipynb"\n')
    if name in RESERVED:
        expected = f"{registry} [reports.{name}]: {RESERVED[name]}"
    else:
        expected = (f"{registry} [reports.{name!r}]: report names become file names; start with a letter or "
                    "digit, then use only letters, digits, '_', '-', '.' (names starting with '_' or '.' are "
                    "the workbench's own files)")
    refused(capsys, root, ["run", *args], "research: parameter error: " + expected)


def test_report_names_that_differ_only_in_case(project, capsys):
    root, args = project
    registry = root / "notebooks" / "reports.toml"
    registry.write_text('[reports.ok]\nnotebook = "verdict.ipynb"\n\n[reports.OK]\nnotebook = "verdict.ipynb"\n')
    refused(capsys, root, ["run", *args],
            f"research: parameter error: {registry} [reports.OK]: the name differs from [reports.ok] only in "
            "case, and their files would collide on a case-insensitive disk; rename one")


@pytest.mark.parametrize("value", ['"x"', "0", "-1", "nan", "inf", "true"])
def test_report_timeout_key_out_of_range(project, capsys, value):
    root, args = project
    registry = root / "notebooks" / "reports.toml"
    registry.write_text(f'[reports.ok]\nnotebook = "verdict.ipynb"\ntimeout = {value}\n')
    import tomllib

    got = tomllib.loads(f"v = {value}")["v"]
    refused(capsys, root, ["run", *args],
            f"research: parameter error: {registry} [reports.ok]: `timeout` must be a positive number of "
            f"seconds, e.g. timeout = 3600; got {got!r}")


# -- impossible parameter values ---------------------------------------------------------------

@pytest.mark.parametrize(("channel", "key", "value", "problem"), [
    ("registry", "statistic", float("nan"), "expects float, but nan is not a finite number"),
    ("registry", "statistic", float("-inf"), "expects float, but -inf is not a finite number"),
    ("registry", "n", 10**20, "expects int, but 100000000000000000000 is out of range (at most "
                              "9,223,372,036,854,775,807 in absolute value)"),
    ("-p", "statistic", "NaN", "expects float, but nan is not a finite number"),
    ("-p", "statistic", "Infinity", "expects float, but inf is not a finite number"),
    ("-p", "n", "1e400", "expects int, got float inf"),
    ("-p", "n", "-99999999999999999999", "expects int, but -99999999999999999999 is out of range"),
])
def test_impossible_parameter_value(project, capsys, channel, key, value, problem):
    root, args = project
    if channel == "registry":
        write_registry(root, {"ok": {**REPORTS["ok"], "parameters": {"draw": False, key: value}}})
        argv = ["run", *args]
    else:
        argv = ["run", *args, "-p", "ok", f"{key}={value}"]
    refused(capsys, root, argv, "research: parameter error: report 'ok' (",
            f"  - parameter {key!r} {problem}", "No report was run.")


def test_impossible_parameter_value_through_papermill(tmp_path):
    """The notebook checks itself: `papermill verdict.ipynb out.ipynb -p statistic nan`."""
    proc = subprocess.run([PYTHON, "-m", "papermill", str(FIXTURES / "verdict.ipynb"), str(tmp_path / "out.ipynb"),
                           "-p", "statistic", "nan", "--cwd", str(tmp_path)],
                          capture_output=True, text=True, timeout=300, env=cli_env(RESEARCH_SIDECAR=""))
    assert proc.returncode != 0
    assert "ParameterError: bad notebook parameters:" in proc.stderr, proc.stderr[-2000:]
    assert "parameter 'statistic' expects float, but nan is not a finite number" in proc.stderr


# -- access: research lab ------------------------------------------------------------------------

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _status(port: int, token: str | None, deadline: float) -> int:
    """HTTP status of /api/status once the server answers (with the token, if given)."""
    headers = {"Authorization": f"token {token}"} if token else {}
    while True:
        try:
            with urllib.request.urlopen(urllib.request.Request(f"http://127.0.0.1:{port}/api/status",
                                                               headers=headers), timeout=5) as resp:
                return resp.status
        except urllib.error.HTTPError as exc:
            return exc.code
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def _listening_addresses(port: int) -> set[str]:
    """Local addresses (hex, as in /proc/net/tcp) listening on ``port``."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(table) as fh:
            for line in fh.readlines()[1:]:
                local, state = line.split()[1], line.split()[3]
                address, hex_port = local.split(":")
                if state == "0A" and int(hex_port, 16) == port:
                    found.add(address)
    return found


@pytest.mark.parametrize("guarded", [True, False])
def test_lab_requires_a_token_whatever_the_user_config_says(tmp_path, guarded):
    """A ~/.jupyter config that turns the token off and listens everywhere: `research lab`'s
    command line still binds to 127.0.0.1 and asks for the token. The unguarded command (plain
    `jupyter lab`) shows that the config file does switch them off."""
    config = tmp_path / "jupyter-config"
    config.mkdir()
    (config / "jupyter_server_config.py").write_text(
        "c.IdentityProvider.token = ''\nc.ServerApp.token = ''\nc.ServerApp.password = ''\n"
        "c.ServerApp.ip = '0.0.0.0'\nc.ServerApp.allow_remote_access = True\n"
        "c.ServerApp.disable_check_xsrf = True\n")
    port, token = _free_port(), "f00d" * 12
    if guarded:
        cmd = lab_command(tmp_path, token=token, no_browser=True, port=port)
    else:
        cmd = [PYTHON, "-m", "jupyterlab", "--no-browser", f"--ServerApp.port={port}",
               f"--ServerApp.root_dir={tmp_path}", *(["--allow-root"] if os.geteuid() == 0 else [])]
    env = cli_env(JUPYTER_CONFIG_DIR=str(config), JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"),
                  JUPYTER_DATA_DIR=str(tmp_path / "data"), JUPYTER_PLATFORM_DIRS="1")
    env.pop("JUPYTER_TOKEN", None)
    server = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        anonymous = _status(port, None, time.monotonic() + 120)
        addresses = _listening_addresses(port)
        if guarded:
            assert anonymous == 403
            assert _status(port, token, time.monotonic() + 10) == 200
            assert addresses == {"0100007F"}  # 127.0.0.1 only
        else:
            assert anonymous == 200
            assert addresses - {"0100007F"}  # listening beyond localhost
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=30)
