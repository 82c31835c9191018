"""One way for each thing: default paths read when called, one exception root, a fast CLI.

A default evaluated at import (``def f(path=config.RAW_DIR)``) escapes a test or a run that
points config elsewhere (TROOPCLAIMS_ROOT, monkeypatch); an exception outside the root escapes
the CLI's one handler as an internal error; a command that imports pandas or Great Expectations
for nothing makes every `make report` step slower.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import troopclaims
from troopclaims import cli, config
from troopclaims.errors import TroopclaimsError


def _modules() -> list:
    return [
        importlib.import_module(info.name)
        for info in pkgutil.walk_packages(troopclaims.__path__, "troopclaims.")
    ]


def _callables(module) -> list[tuple[str, object]]:
    """Every function and method defined in ``module``, by qualified name."""
    found = []
    for name, obj in vars(module).items():
        if inspect.isfunction(obj) and obj.__module__ == module.__name__:
            found.append((f"{module.__name__}.{name}", obj))
        elif inspect.isclass(obj) and obj.__module__ == module.__name__:
            found += [
                (f"{module.__name__}.{name}.{attr}", member)
                for attr, member in vars(obj).items()
                if inspect.isfunction(member)
            ]
    return found


def _under_root(value: object) -> bool:
    if not isinstance(value, Path):
        return False
    return Path(value).resolve().is_relative_to(config.ROOT.resolve())


def test_no_signature_takes_a_default_path_from_config() -> None:
    """Defaults are None and resolved from config when the function runs."""
    offenders = [
        f"{qualname}({param.name}={param.default!r})"
        for module in _modules()
        for qualname, func in _callables(module)
        for param in inspect.signature(func).parameters.values()
        if _under_root(param.default)
    ]
    assert offenders == []


def test_the_check_sees_a_default_taken_from_config() -> None:
    """The check above would catch the old form (so it can fail)."""

    def old_form(path: Path = config.RAW_DIR) -> Path:
        return path

    (param,) = inspect.signature(old_form).parameters.values()
    assert _under_root(param.default)


def test_every_public_exception_of_the_package_derives_from_the_root() -> None:
    """So the CLI's one handler turns each into its message and exit code."""
    outside = [
        f"{module.__name__}.{name}"
        for module in _modules()
        for name, obj in vars(module).items()
        if inspect.isclass(obj)
        and obj.__module__ == module.__name__
        and issubclass(obj, Exception)
        and not name.startswith("_")
        and not issubclass(obj, TroopclaimsError)
    ]
    assert outside == []
    assert config.ConfigError.exit_code == 2
    assert issubclass(config.ConfigError, ValueError)


@pytest.mark.parametrize("argv", [["process"], ["ingest", "drop"], ["report", "build"]])
def test_a_malformed_setting_exits_2_in_every_command(
    argv: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A ConfigError (here the lock's wait, read before anything is touched) exits 2."""
    monkeypatch.setenv(config.LOCK_TIMEOUT_ENV, "never")
    assert cli.main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"ERROR {config.LOCK_TIMEOUT_ENV} must be a number of seconds"), err
    assert "Traceback" not in err


def test_no_troopclaims_process_compiles_the_iri_grammar_and_json_schemas_still_judge() -> None:
    """``rfc3987_syntax`` cost 1.3-2.1 s of each validating and report command's start
    (jsonschema, imported by GX through altair and by papermill and nbconvert through
    nbformat, loads it for an "iri" format nothing here checks): a process that loads
    troopclaims, starts GX and imports the report's tools must not import it, and jsonschema
    must still judge documents, as nbformat and the published schemas need."""
    code = (
        "import sys\nfrom troopclaims.checks import gxrun\ngxrun.context()\n"
        "import jsonschema, nbconvert, nbformat, papermill\n"
        "v = jsonschema.Draft202012Validator({'type': 'object', 'required': ['a']})\n"
        "nb = nbformat.v4.new_notebook()\nnbformat.validate(nb)\n"
        "print(sys.modules['rfc3987_syntax'], 'jsonschema' in sys.modules, v.is_valid({}), "
        "v.is_valid({'a': 1}))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert done.stdout.split() == ["None", "True", "False", "True"]


@pytest.mark.parametrize(
    "argv", [["report", "--help"], ["report", "build", "--help"], ["new-drop", "--help"]]
)
def test_report_and_new_drop_import_neither_pandas_nor_great_expectations(
    argv: list[str],
) -> None:
    """Make runs `troopclaims report execute` and `build`: the CLI must cost what they need."""
    code = (
        "import sys\nfrom troopclaims import cli\ntry:\n"
        f"    cli.main({argv!r})\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in ('pandas', 'great_expectations', 'pyarrow') if m in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stdout.splitlines()[-1] == "[]"
