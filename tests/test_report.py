"""The report builds from fixture data into one self-contained, escaped, reproducible document."""

from __future__ import annotations

import hashlib
import io
import os
import re
from contextlib import redirect_stderr
from pathlib import Path

import pypdf
import pytest
from test_notebooks import NOTEBOOKS, SMALL, small_params

from troopclaims import report

EPOCH = "1730764800"  # 2024-11-05 00:00:00 UTC
SECTIONS = [
    "Contents",
    "Validation summary",
    "Troop estimates",
    "Response timing",
    "Coverage and discrepancies",
    "Methodology and limitations",
    "Provenance",
]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Execute the notebooks on the fixture data and build HTML + PDF, as ``make report`` does."""
    tmp = tmp_path_factory.mktemp("report")
    old = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = EPOCH
    try:
        params = small_params(tmp)
        executed = report.execute_all(NOTEBOOKS, tmp / "executed", params, NOTEBOOKS)
        html, pdf = report.build(executed, tmp / "report.html", tmp / "report.pdf", SMALL / "raw")
    finally:
        if old is None:
            os.environ.pop("SOURCE_DATE_EPOCH")
        else:
            os.environ["SOURCE_DATE_EPOCH"] = old
    return {"params": params, "html": html, "pdf": pdf}


@pytest.fixture(scope="module")
def html(built: dict) -> str:
    return built["html"].read_text(encoding="utf-8")


@pytest.mark.slow
def test_html_has_title_contents_and_every_section(html: str) -> None:
    assert f"<h1>{report.REPORT_TITLE}</h1>" in html
    for section in SECTIONS:
        assert re.search(rf"<h2[^>]*>(\d+\. )?{section}</h2>", html), section
    for anchor in re.findall(r'<a href="#([^"]+)">', html):
        assert f'id="{anchor}"' in html, f"contents link #{anchor} has no target"


@pytest.mark.slow
def test_images_are_embedded_and_nothing_is_loaded_from_the_network(html: str) -> None:
    images = [dict(re.findall(r'(\w+)="([^"]*)"', tag)) for tag in re.findall(r"<img [^>]+>", html)]
    assert len(images) >= 4
    assert all(img["src"].startswith("data:image/png;base64,") for img in images)
    assert all(img["width"] == "672" for img in images)  # 7 in at 96 px/in: print size
    assert "Response timing: who responded how, and how soon" in [img["alt"] for img in images]
    assert not re.search(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", html)
    assert not re.search(r"<link\b", html)
    assert "<script" not in html.lower()
    assert "@import" not in html


@pytest.mark.slow
def test_no_code_and_data_text_is_escaped(html: str) -> None:
    for code in ("charts.show(", "charts.table(", "import ", "In&nbsp;[", "Out["):
        assert code not in html
    assert "&lt;script&gt;alert(" in html  # the fixture quote, shown as text
    assert "<b>not bold</b>" not in html
    assert "&lt;b&gt;not bold&lt;/b&gt;" in html  # an article title from the data


@pytest.mark.slow
def test_provenance_lists_inputs_commit_versions_and_build_date(html: str) -> None:
    claims = SMALL / "raw" / "claims.csv"
    assert hashlib.sha256(claims.read_bytes()).hexdigest() in html
    for name in ("900_invented_alpha.txt", "articles.csv"):
        assert name in html
    assert "2024-11-05 00:00:00 UTC" in html
    assert re.search(r"git commit</th><td><code>([0-9a-f]{40}|unknown)", html)
    assert "papermill" in html and "weasyprint" in html
    assert "processed_dir = " in html  # the parameters each notebook ran with


@pytest.mark.slow
def test_pdf_opens_and_has_every_section(built: dict) -> None:
    reader = pypdf.PdfReader(built["pdf"])
    assert len(reader.pages) > 3
    text = " ".join(page.extract_text() for page in reader.pages)
    for section in SECTIONS:
        assert section in text, section
    assert "<script>alert('x')</script>" in text  # escaped in HTML, plain text in print


@pytest.mark.slow
def test_two_builds_from_the_same_inputs_are_byte_identical(
    built: dict, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Execute and build again from the same inputs: the HTML must not differ by one byte."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    executed = report.execute_all(NOTEBOOKS, tmp_path / "executed", built["params"], NOTEBOOKS)
    html, _ = report.build(executed, tmp_path / "r.html", tmp_path / "r.pdf", SMALL / "raw")
    assert html.read_bytes() == built["html"].read_bytes()


def test_a_failed_build_leaves_the_previous_report_untouched(tmp_path: Path, monkeypatch) -> None:
    html, pdf = tmp_path / "report.html", tmp_path / "report.pdf"
    html.write_text("old html", encoding="utf-8")
    pdf.write_bytes(b"old pdf")
    with pytest.raises(report.ReportError, match="executed notebook missing"):
        report.build([tmp_path / "nope.ipynb"], html, pdf, SMALL / "raw")
    monkeypatch.setattr(report, "render_html", lambda *a: "<html>new</html>")

    def broken_pdf(text: str, target: Path) -> None:
        target.write_bytes(b"half a pdf")
        raise OSError("disk full")

    monkeypatch.setattr(report, "write_pdf", broken_pdf)
    executed = tmp_path / "01.ipynb"
    executed.write_text('{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}')
    with pytest.raises(OSError):
        report.build([executed], html, pdf, SMALL / "raw")
    assert html.read_text(encoding="utf-8") == "old html"
    assert pdf.read_bytes() == b"old pdf"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["01.ipynb", "report.html", "report.pdf"]


def test_command_line_failure_is_a_message_not_a_traceback(tmp_path: Path) -> None:
    err = io.StringIO()
    with redirect_stderr(err), pytest.raises(SystemExit) as info:
        report.main(["build", "--executed-dir", str(tmp_path), "--html", str(tmp_path / "r.html")])
    assert info.value.code == 1
    assert err.getvalue().startswith("ERROR executed notebook missing")
    assert "Traceback" not in err.getvalue()
    assert not (tmp_path / "r.html").exists()


def test_build_date_comes_from_source_date_epoch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    assert report.build_date() == "2024-11-05 00:00:00 UTC"
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC", report.build_date())


@pytest.mark.parametrize(
    "argv",
    [["build"], [], ["execute", str(NOTEBOOKS[0])]],
    ids=["build", "execute-and-build", "execute"],
)
def test_a_malformed_source_date_epoch_is_one_error_line_before_any_work(
    monkeypatch: pytest.MonkeyPatch, argv: list[str]
) -> None:
    """Checked first by every step: IPython's kernel parses it too and would not even start."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "yesterday")
    monkeypatch.setattr(report, "execute_all", lambda *a, **k: pytest.fail("ran notebooks"))
    monkeypatch.setattr(report, "build", lambda *a, **k: pytest.fail("built the report"))
    err = io.StringIO()
    with redirect_stderr(err), pytest.raises(SystemExit) as info:
        report.main(argv)
    assert info.value.code == 1
    first = err.getvalue().splitlines()[0]
    assert first == (
        "ERROR SOURCE_DATE_EPOCH must be whole seconds since 1970-01-01 UTC, got 'yesterday'"
    )
    assert "Traceback" not in err.getvalue()
