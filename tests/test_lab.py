"""JupyterLab as a newcomer meets it (`make lab`): no news prompt over the charts, no network.

Setup installs jupyter/overrides.json (defaults of lab's user settings) and
jupyter/jupyter_lab_config.json (the lab server's config) into the venv. These tests check that
they sit where JupyterLab reads them and that a real lab server, started as `make lab` starts it
but with an empty user-settings folder (a newcomer's), serves them: no news prompt, no update
check, no PyPI extension manager, and the project kernel under its display name. No browser.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from jupyter_core.paths import jupyter_config_path
from jupyterlab.commands import get_app_dir
from jupyterlab.labapp import LabApp

from troopclaims import config

REPO_JUPYTER = config.ROOT / "jupyter"
NOTIFICATION = "@jupyterlab/apputils-extension:notification"
START_TIMEOUT = 90  # seconds: a loaded 2-core machine starts lab in ~5 s


def _installed() -> dict[str, Path]:
    """Where lab reads each shipped file: LabApp's default app_settings_dir, and its config
    file (jupyter_lab_config) in the venv's config directory."""
    return {
        "overrides.json": Path(get_app_dir()) / "settings" / "overrides.json",
        "jupyter_lab_config.json": Path(sys.prefix) / "etc" / "jupyter" / "jupyter_lab_config.json",
    }


@pytest.mark.parametrize("name", ["overrides.json", "jupyter_lab_config.json"])
def test_setup_installed_the_lab_settings_where_jupyterlab_reads_them(name: str) -> None:
    installed = _installed()[name]
    assert installed.is_file(), f"{installed} missing: run make setup"
    assert installed.read_bytes() == (REPO_JUPYTER / name).read_bytes(), (
        f"{installed} differs from jupyter/{name}: run make setup"
    )
    if name == "jupyter_lab_config.json":
        assert str(installed.parent) in jupyter_config_path()


def test_lab_server_config_turns_off_news_update_check_and_pypi(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from jupyterlab import NeverCheckForUpdate

    monkeypatch.setenv("JUPYTER_CONFIG_DIR", str(tmp_path))  # the tester's ~/.jupyter aside
    app = LabApp()
    app.load_config_file()
    assert app.news_url is None
    assert app.check_for_updates_class is NeverCheckForUpdate
    assert app.extension_manager == "readonly"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(lab: tuple[str, str], path: str) -> str:
    """GET a path of the lab server ``lab`` (its base URL and token), as text."""
    base, token = lab
    request = urllib.request.Request(f"{base}/{path}", headers={"Authorization": f"token {token}"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.read().decode("utf-8")


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """A lab server from the venv, as `make lab` runs it, with a newcomer's empty user settings
    and workspaces (JUPYTER_CONFIG_DIR too, so the tester's own ~/.jupyter plays no part)."""
    home = tmp_path_factory.mktemp("lab")
    token, port = secrets.token_hex(16), _free_port()
    env = {
        **os.environ,
        "JUPYTERLAB_SETTINGS_DIR": str(home / "user-settings"),
        "JUPYTERLAB_WORKSPACES_DIR": str(home / "workspaces"),
        "JUPYTER_CONFIG_DIR": str(home / "config"),
        "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
    }
    cmd = [
        str(Path(sys.executable).parent / "jupyter"),
        "lab",
        "--no-browser",
        f"--port={port}",
        "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}",
        f"--notebook-dir={config.NOTEBOOKS_DIR}",
    ]
    if os.geteuid() == 0:
        cmd.append("--allow-root")
    log = (home / "lab.log").open("w")
    server = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            try:
                _get((base, token), "api/status")
                break
            except (urllib.error.URLError, ConnectionError):
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"lab did not start: {(home / 'lab.log').read_text()}")
                time.sleep(0.3)
        yield base, token
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


def _page_config(lab: tuple[str, str]) -> dict[str, Any]:
    """The configuration the lab page hands the frontend (a JSON script in /lab)."""
    page = _get(lab, "lab")
    found = re.search(
        r'<script id="jupyter-config-data" type="application/json">(.*?)</script>', page, re.S
    )
    assert found, "no jupyter-config-data in /lab"
    return json.loads(found.group(1))


def test_a_newcomer_gets_no_news_prompt_and_no_update_check(lab: tuple[str, str]) -> None:
    """fetchNews "none" (JupyterLab's default) is what asks "Would you like to get notified
    about official Jupyter news?"; "false" neither asks nor fetches."""
    reply = json.loads(_get(lab, f"lab/api/settings/{NOTIFICATION}"))
    defaults = {k: v.get("default") for k, v in reply["schema"]["properties"].items()}
    assert defaults["fetchNews"] == "false"
    assert defaults["checkForUpdates"] is False
    assert reply["settings"] == {}  # a newcomer: nothing of their own hides the prompt


def test_the_lab_page_fetches_no_news_and_cannot_install_from_pypi(lab: tuple[str, str]) -> None:
    page = _page_config(lab)
    assert page["news"] == {"disabled": True}
    assert page["extensionManager"]["name"] == "read-only"
    assert page["extensionManager"]["can_install"] is False


def test_the_project_kernel_is_offered_under_its_display_name(lab: tuple[str, str]) -> None:
    specs = json.loads(_get(lab, "api/kernelspecs"))["kernelspecs"]
    assert specs[config.KERNEL_NAME]["spec"]["display_name"] == "Python (troopclaims)"
