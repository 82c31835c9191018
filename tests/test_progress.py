"""Issue 19 item 3: a long step says what it has done, so a user can tell work from a hang.

The report build prints one line per notebook and per stage as each finishes, with its time;
the checks of a large drop show a bar on a terminal, and nothing in a log or a pipe.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from troopclaims import progress
from troopclaims.report import assemble as report
from troopclaims.report import execute


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_bar_shows_only_on_a_terminal_and_only_for_a_large_drop(monkeypatch) -> None:
    for stream, rows, shown in (
        (_Terminal(), progress.FROM_ROWS, True),
        (_Terminal(), progress.FROM_ROWS - 1, False),  # a small drop: done before a bar helps
        (io.StringIO(), 10 * progress.FROM_ROWS, False),  # a log or a pipe: no \r noise
    ):
        monkeypatch.setattr("sys.stderr", stream)
        items = list(progress.bar(iter(range(5)), total=5, desc="checking claims", rows=rows))
        assert items == [0, 1, 2, 3, 4]  # the loop itself is untouched
        assert ("checking claims" in stream.getvalue()) is shown, stream.getvalue()


def test_a_finished_step_is_one_escaped_line_with_its_time(capsys) -> None:
    progress.finished("executed x\x1b]0;t\x07.ipynb", 4.06)
    out = capsys.readouterr()
    assert out.out == ""
    assert out.err == "executed x\\x1b]0;t\\x07.ipynb in 4.1 s\n"


def test_each_notebook_is_reported_as_it_succeeds_and_a_failure_is_not(monkeypatch) -> None:
    """Every notebook still runs when one fails; only those that succeeded are announced."""

    class Kernel:
        def close(self) -> None:
            pass

    def fake_execute(source: Path, output: Path, params: dict, kernel) -> Path:
        if source.stem == "bad":
            raise execute.ReportError("bad failed")
        return output

    monkeypatch.setattr(execute, "SharedKernel", Kernel)
    monkeypatch.setattr(execute, "execute", fake_execute)
    monkeypatch.setattr(execute, "parameters_for", lambda nb, params, every: {})
    seen: list[tuple[str, float]] = []
    notebooks = [Path("a.ipynb"), Path("bad.ipynb"), Path("c.ipynb")]
    with pytest.raises(execute.ReportError, match="bad failed"):
        execute.execute_all(
            notebooks, Path("out"), {}, jobs=2, on_done=lambda o, s: seen.append((o.name, s))
        )
    assert sorted(name for name, _ in seen) == ["a.ipynb", "c.ipynb"]
    assert all(seconds >= 0 for _, seconds in seen)


def test_the_build_stages_are_timed_one_after_the_other(monkeypatch) -> None:
    ticks = iter([10.0, 12.5, 20.0])
    monkeypatch.setattr(report.time, "perf_counter", lambda: next(ticks))
    seen: list[str] = []
    stages = report._Stages(lambda stage, s: seen.append(f"{stage} {s}"))
    stages.done("joined")
    stages.done("wrote the PDF")
    assert seen == ["joined 2.5", "wrote the PDF 7.5"]
