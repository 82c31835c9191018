"""The report builds from fixture data into one self-contained, escaped, reproducible document."""

from __future__ import annotations

import base64
import hashlib
import importlib.metadata
import io
import json
import os
import re
import shutil
import subprocess
import sys
from contextlib import redirect_stderr
from pathlib import Path

import nbformat
import pypdf
import pytest
import raw_files
from fontTools.ttLib import TTFont
from processed_files import write_processed
from test_notebooks import NOTEBOOKS, SMALL

from troopclaims import cli, config
from troopclaims.report import assemble as report
from troopclaims.report import execute, fonts, provenance
from troopclaims.store import manifest

# Every test of the fixture report on one xdist worker (make test's --dist loadgroup): the
# report is built once per process (``fixture_report``), so once, not once per worker.
pytestmark = pytest.mark.xdist_group("fixture-report")

EPOCH = "1730764800"  # 2024-11-05 00:00:00 UTC
SECTIONS = [
    "Key findings",
    "Contents",
    "Validation summary",
    "Troop estimates",
    "Response timing",
    "Coverage and discrepancies",
    "Methodology and limitations",
    "Provenance",
]
# The fixture's Korean and Russian quotes (articles A902, A903), and a Korean chart label.
KOREAN_QUOTE = "북한군 약 3,000명이 이미 러시아에 있다"
RUSSIAN_QUOTE = "«сообщения о северокорейских солдатах — это ложь»"
KOREAN_LABEL = "국정원 첫 발표"


def processed_from(raw: Path, folder: Path) -> Path:
    """The fixture dataset processed into ``folder`` with a sources.json recording ``raw`` (as
    ``troopclaims process`` writes it, without re-validating: the verdict is the fixture's)."""
    claims = raw_files.load_claims(raw / "claims.csv")
    articles = raw_files.load_articles(raw / "articles.csv")
    write_processed(claims, articles, folder, raw=manifest.RawRecord(raw, {}))
    shutil.copyfile(SMALL / "processed" / "validation.json", folder / "validation.json")
    return folder


_BUILT: dict = {}  # the fixture report, built once per test process (see ``fixture_report``)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Execute the notebooks on the fixture data and build HTML + PDF, as ``make report`` does."""
    return fixture_report(tmp_path_factory)


def fixture_report(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The fixture report, built the first time a test of this process asks for it: another
    module that reads the report (tests/test_accessibility.py) reuses this build instead of
    paying for its own (a module fixture imported elsewhere would build again)."""
    if not _BUILT:
        _BUILT.update(_build(tmp_path_factory))
    return _BUILT


def _build(tmp_path_factory: pytest.TempPathFactory) -> dict:
    tmp = tmp_path_factory.mktemp("report")
    old = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = EPOCH
    try:
        processed = processed_from(SMALL / "raw", tmp / "processed")
        params = {
            "processed_dir": str(processed),
            "output_dir": "",
            "03-response-timing": {"reference_label": KOREAN_LABEL},  # Hangul in a chart
        }
        executed = execute.execute_all(NOTEBOOKS, tmp / "executed", params, NOTEBOOKS)
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
        assert re.search(rf"<h2[^>]*>(\d+\. |Appendix [A-Z]\. )?{section}</h2>", html), section
    for anchor in re.findall(r'<a href="#([^"]+)">', html):
        assert f'id="{anchor}"' in html, f"contents link #{anchor} has no target"


@pytest.mark.slow
def test_images_are_embedded_and_nothing_is_loaded_from_the_network(html: str) -> None:
    charts = [
        dict(re.findall(r'([\w-]+)="([^"]*)"', tag)) for tag in re.findall(r"<svg [^>]+>", html)
    ]
    assert len(charts) >= 4  # inline SVG: vector in the PDF, tooltips in the HTML
    assert not re.search(r"<img [^>]*src=", html)
    assert all(svg["width"] == "672" for svg in charts)  # 7 in at 96 px/in
    # a labelled group described by its figure (tests/test_accessibility.py), not role="img"
    assert all(svg["role"] == "group" and svg["aria-describedby"] for svg in charts)
    titles = re.findall(r"<svg [^>]+>\s*<title>([^<]*)</title>", html)  # the accessible name
    assert "Response timing: who responded how, and how soon" in titles
    assert not re.search(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", html)
    assert not re.search(r"<link\b", html)
    assert "<script" not in html.lower()
    assert "@import" not in html


@pytest.mark.slow
def test_no_code_and_data_text_is_escaped(html: str) -> None:
    for code in ("svgout.show(", "tables.table(", "import ", "In&nbsp;[", "Out["):
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
    for package in ("papermill", "weasyprint", "text2num", "num2words", "babel"):
        assert f"<td>{package}</td><td>{importlib.metadata.version(package)}</td>" in html
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
def test_key_findings_lead_page_one_and_the_validation_appendix_comes_last(
    built: dict, html: str
) -> None:
    """Page 1: the findings with their claim ids and the verdict, no rule table; then the
    sections, methodology, provenance and the validation appendix, in that order in both."""
    order = [
        "Key findings",
        "Troop estimates",
        "Coverage and discrepancies",
        "Methodology and limitations",
        "Provenance",
        "Validation summary",
    ]
    in_html = [
        re.search(rf"<h2[^>]*>(\d+\. |Appendix [A-Z]\. )?{title}</h2>", html).start()
        for title in order
    ]
    assert in_html == sorted(in_html)
    pages = [" ".join(page.extract_text().split()) for page in pypdf.PdfReader(built["pdf"]).pages]
    assert "Key findings" in pages[0] and "Validation: " in pages[0]
    assert re.search(r"\(A9\d\d-\d\d[,)]", pages[0])  # a fixture claim id, cited
    assert "Rules checked" not in pages[0] and "severity" not in pages[0]
    # A title's last page is its section's (the contents name it earlier); "Key findings",
    # also a phrase of the methodology, is pinned to page 1 above.
    last_page = [max(i for i, text in enumerate(pages) if title in text) for title in order[1:]]
    assert last_page == sorted(last_page)


@pytest.mark.slow
def test_two_builds_from_the_same_inputs_are_byte_identical(
    built: dict, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Execute and build again from the same inputs: the HTML must not differ by one byte."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    executed = execute.execute_all(NOTEBOOKS, tmp_path / "executed", built["params"], NOTEBOOKS)
    html, _ = report.build(executed, tmp_path / "r.html", tmp_path / "r.pdf", SMALL / "raw")
    assert html.read_bytes() == built["html"].read_bytes()


def _embedded_subset(html: str) -> TTFont:
    data = re.search(r'url\("data:font/woff2;base64,([A-Za-z0-9+/=]+)"\)', html).group(1)
    return TTFont(io.BytesIO(base64.b64decode(data)))


@pytest.mark.slow
def test_korean_and_russian_text_is_in_the_html_with_a_hangul_subset_embedded(html: str) -> None:
    shown = fonts.page_text(html)  # a table keeps each Korean word in a span of its own
    for text in (KOREAN_QUOTE, RUSSIAN_QUOTE, "테스트용 기사: 북한군 파병", f"({KOREAN_LABEL})"):
        assert text in html or text in shown, text
    assert '<span style="white-space: nowrap">북한군</span>' in html
    assert html.count("@font-face") == 1
    assert 'font-family: "NanumGothic subset";' in html
    subset = _embedded_subset(html)
    hangul = fonts.scripts_in(fonts.page_text(html))["Hangul"]
    assert {ord(c) for c in hangul} <= set(subset.getBestCmap())
    rule = re.search(r"@font-face \{.*?\}", html, re.S).group(0)
    assert len(rule) < 12_000  # dozens of syllables, a few kB; NanumGothic.ttf is 4.7 MB


def _pdf_fonts(path: Path) -> dict[str, TTFont]:
    """Every font embedded in the PDF, by base name, as fontTools reads it."""
    found = {}
    for page in pypdf.PdfReader(path).pages:
        for ref in page["/Resources"].get("/Font", {}).values():
            font = ref.get_object()
            descendant = font["/DescendantFonts"][0].get_object()
            data = descendant["/FontDescriptor"]["/FontFile2"].get_object().get_data()
            found[str(font["/BaseFont"])] = TTFont(io.BytesIO(data))
    return found


def _has_glyphs(font: TTFont, text: str) -> bool:
    cmap = font.getBestCmap()
    return all(
        ord(c) in cmap and font["glyf"][cmap[ord(c)]].numberOfContours != 0  # -1: composite
        for c in text
        if not c.isspace()
    )


@pytest.mark.slow
def test_korean_and_russian_text_is_in_the_pdf_with_fonts_that_have_its_glyphs(
    built: dict,
) -> None:
    reader = pypdf.PdfReader(built["pdf"])
    text = " ".join(" ".join(page.extract_text().split()) for page in reader.pages)
    for quote in (KOREAN_QUOTE, RUSSIAN_QUOTE, KOREAN_LABEL):
        assert quote in text, quote
    embedded = _pdf_fonts(built["pdf"])
    hangul = "".join(fonts.scripts_in(text)["Hangul"])
    nanum = [name for name in embedded if "NanumGothic" in name]
    assert len(nanum) == 1
    assert _has_glyphs(embedded[nanum[0]], hangul)
    cyrillic = fonts.scripts_in(RUSSIAN_QUOTE)["Cyrillic"]
    assert any(_has_glyphs(font, cyrillic) for name, font in embedded.items() if "DejaVu" in name)


def _tiny_executed(folder: Path, markdown: str, processed: Path | None = None) -> Path:
    """An executed notebook of one markdown cell, as ``build`` reads it, recording that it
    read the current build of ``processed`` (None: no processed data)."""
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(markdown)])
    digest = manifest.sources_digest(processed) if processed else None
    nb.metadata[execute.RECORD_KEY] = execute.processed_record(processed, digest)
    path = folder / "01-tiny.ipynb"
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    return path


def test_a_page_without_hangul_embeds_no_font(tmp_path: Path) -> None:
    combined, toc, used = report.combine([_tiny_executed(tmp_path, "# Кремль\n\nÉtats-Unis")])
    page = report.render_html(combined, toc, provenance.collect(SMALL / "raw", None, used))
    assert "Кремль" in page
    assert "@font-face" not in page and "body::before" not in page


def test_a_build_without_a_hangul_font_says_so_and_names_the_package(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    missing = fonts.ReportFont(
        "NanumGothic", ("Hangul",), ("/nonexistent/NanumGothic.ttf",), fonts.NANUM_INSTALL, True
    )
    monkeypatch.setattr(fonts, "REPORT_FONTS", (fonts.DEJAVU_SANS, missing))
    executed = _tiny_executed(tmp_path / "executed", f"# 1\n\n{KOREAN_QUOTE}")
    (tmp_path / "notebooks").mkdir()
    (tmp_path / "notebooks" / executed.name).write_text("{}", encoding="utf-8")
    html = tmp_path / "r.html"
    err = io.StringIO()
    with redirect_stderr(err):
        code = cli.main(
            [
                "report",
                "build",
                "--executed-dir",
                str(executed.parent),
                "--notebooks-dir",
                str(tmp_path / "notebooks"),
                "--html",
                str(html),
                "--pdf",
                str(tmp_path / "r.pdf"),
                "--raw-dir",
                str(SMALL / "raw"),
            ]
        )
    assert code == 1
    first = err.getvalue().splitlines()[0]
    assert first.startswith("ERROR no font for the Hangul text in the report: 북 (U+BD81)")
    assert first.endswith(
        "install koreanize-matplotlib (PyPI, in requirements.lock) or Debian's fonts-nanum"
    )
    assert not html.exists()


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
    metadata = {execute.RECORD_KEY: {"processed_dir": None}}  # reads no processed data
    nb = {"cells": [], "metadata": metadata, "nbformat": 4, "nbformat_minor": 5}
    executed.write_text(json.dumps(nb), encoding="utf-8")
    with pytest.raises(OSError):
        report.build([executed], html, pdf, SMALL / "raw")
    assert html.read_text(encoding="utf-8") == "old html"
    assert pdf.read_bytes() == b"old pdf"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["01.ipynb", "report.html", "report.pdf"]


def test_command_line_failure_is_a_message_not_a_traceback(tmp_path: Path) -> None:
    err = io.StringIO()
    with redirect_stderr(err):
        code = cli.main(
            ["report", "build", "--executed-dir", str(tmp_path), "--html", str(tmp_path / "r.html")]
        )
    assert code == 1
    assert err.getvalue().startswith("ERROR executed notebook missing")
    assert "Traceback" not in err.getvalue()
    assert not (tmp_path / "r.html").exists()


def test_build_date_comes_from_source_date_epoch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    assert provenance.build_date() == "2024-11-05 00:00:00 UTC"
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC", provenance.build_date())


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
    monkeypatch.setattr(execute, "execute_all", lambda *a, **k: pytest.fail("ran notebooks"))
    monkeypatch.setattr(report, "build", lambda *a, **k: pytest.fail("built the report"))
    err = io.StringIO()
    with redirect_stderr(err):
        code = cli.main(["report", *argv])
    assert code == 2  # a malformed setting (ConfigError): exit 2, as for every command
    first = err.getvalue().splitlines()[0]
    assert first == (
        "ERROR SOURCE_DATE_EPOCH must be whole seconds since 1970-01-01 UTC, got 'yesterday'"
    )
    assert "Traceback" not in err.getvalue()


# --- One processed build: the one the notebooks read, current, and listed as the inputs -------


def _inputs_table(html: str) -> list[tuple[str, str]]:
    """(path, SHA-256) of every row of the provenance's input-file table."""
    table = html.split("Input files (SHA-256)</h3>", 1)[1].split("</table>", 1)[0]
    return re.findall(r"<tr><td>([^<]*)</td><td[^>]*>[^<]*</td><td><code>([0-9a-f]{64})<", table)


def _sources_json_inputs(processed: Path) -> list[tuple[str, str]]:
    """What sources.json says the build read (raw files and their SHA-256), then itself."""
    text = (processed / "sources.json").read_bytes()
    doc = json.loads(text)
    raw = processed / doc["raw_dir"] if doc["raw_dir"] else None
    rows = [(config.display_path(raw / rel), digest) for rel, digest in sorted(doc["raw"].items())]
    return [
        *rows,
        (config.display_path(processed / "sources.json"), hashlib.sha256(text).hexdigest()),
    ]


def _build_argv(notebooks: Path, executed: Path, raw: Path, out: Path) -> list[str]:
    return [
        "build",
        *("--notebooks-dir", str(notebooks), "--executed-dir", str(executed)),
        *(
            "--raw-dir",
            str(raw),
            "--html",
            str(out / "report.html"),
            "--pdf",
            str(out / "report.pdf"),
        ),
    ]


def _refused(argv: list[str]) -> str:
    """Run ``report build``; it must exit 1. Returns its stderr."""
    err = io.StringIO()
    with redirect_stderr(err):
        code = cli.main(["report", *argv])
    assert code == 1
    assert "Traceback" not in err.getvalue()
    assert err.getvalue().splitlines()[-1].startswith("report not updated")
    return err.getvalue()


@pytest.mark.slow
def test_a_drop_landing_between_execute_and_build_is_refused_and_the_old_report_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`make report` runs execute and build as two processes: an ingest may land in between."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    raw = tmp_path / "data" / "raw"
    shutil.copytree(SMALL / "raw", raw)
    processed = processed_from(raw, tmp_path / "data" / "processed")
    notebooks, executed, out = tmp_path / "notebooks", tmp_path / "executed", tmp_path / "out"
    notebooks.mkdir()
    shutil.copyfile(NOTEBOOKS[0], notebooks / NOTEBOOKS[0].name)
    params = {"processed_dir": str(processed), "output_dir": ""}
    (done,) = execute.execute_all([notebooks / NOTEBOOKS[0].name], executed, params, NOTEBOOKS)
    record = nbformat.read(done, as_version=4).metadata[execute.RECORD_KEY]
    assert record == execute.processed_record(processed, manifest.sources_digest(processed))

    argv = _build_argv(notebooks, executed, raw, out)
    assert cli.main(["report", *argv]) == 0
    html = (out / "report.html").read_text(encoding="utf-8")
    assert _inputs_table(html) == _sources_json_inputs(processed)  # exactly what was read
    assert len(_inputs_table(html)) == len(manifest.raw_files(raw)) + 1
    before = {p.name: p.read_bytes() for p in out.iterdir()}

    # An ingest lands: a new drop in data/raw/drops/, processed not (yet) rebuilt.
    late = raw / "drops" / "late"
    late.mkdir(parents=True)
    for name in ("claims.csv", "articles.csv"):
        shutil.copyfile(raw / name, late / name)
    err = _refused(argv)
    assert "which the notebooks read, is out of date" in err
    assert "raw files added since it was built" in err
    assert config.display_path(late / "claims.csv") in err
    assert "run `make report`" in err
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before

    # The ingest's own rebuild of processed lands too: another build than the notebooks read.
    shutil.rmtree(late)
    claims = raw_files.load_claims(raw / "claims.csv").iloc[1:]
    write_processed(
        claims,
        raw_files.load_articles(raw / "articles.csv"),
        processed,
        raw=manifest.RawRecord(raw, {}),
    )
    assert manifest.stale_reasons(processed) == []  # current, but not what the notebook read
    err = _refused(argv)
    assert "was rebuilt after the notebooks ran" in err
    assert record["sources_sha256"][:12] in err
    assert "run `make report`" in err
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


def test_build_refuses_notebooks_that_did_not_read_one_current_build(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    shutil.copytree(SMALL / "raw", raw)
    processed = processed_from(raw, tmp_path / "processed")
    html, pdf = tmp_path / "r.html", tmp_path / "r.pdf"
    one = _tiny_executed(tmp_path / "a", "# One\n\nText.", processed)

    # Recorded nothing: executed by hand, or by a troopclaims that did not record it.
    bare = tmp_path / "bare" / "01-bare.ipynb"
    bare.parent.mkdir()
    nbformat.write(nbformat.v4.new_notebook(), bare)
    with pytest.raises(report.ReportError, match="does not record which processed data it read"):
        report.build([one, bare], html, pdf, raw)

    # Two notebooks that read two different processed folders.
    other = processed_from(raw, tmp_path / "other")
    two = _tiny_executed(tmp_path / "b", "# Two", other)
    with pytest.raises(report.ReportError, match="the notebooks read different processed data"):
        report.build([one, two], html, pdf, raw)

    # A build of another raw folder than the one the command locks and checks.
    with pytest.raises(report.ReportError, match=r"was built from .* not from"):
        report.build([one], html, pdf, SMALL / "raw")

    # sources.json gone (a process interrupted while renaming): nothing current to report.
    (other / "sources.json").unlink()
    with pytest.raises(report.ReportError, match=r"sources\.json is missing"):
        report.build([two], html, pdf, raw)
    assert not html.exists() and not pdf.exists()

    # Processed data written from frames records no raw folder: only its sources.json is listed.
    frames = tmp_path / "frames"
    claims, articles = (
        raw_files.load_claims(raw / "claims.csv"),
        raw_files.load_articles(raw / "articles.csv"),
    )
    write_processed(claims, articles, frames)
    report.build([_tiny_executed(tmp_path / "c", "# Three", frames)], html, pdf, raw)
    assert _inputs_table(html.read_text(encoding="utf-8")) == _sources_json_inputs(frames)
    assert len(_sources_json_inputs(frames)) == 1


# --- Variants: a parameters file NAME.yaml builds reports/NAME/, beside the canonical report ---


def _project(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """A scratch project (TROOPCLAIMS_ROOT) holding the fixture data, processed, and the timing
    notebook (the one with per-notebook parameters; one notebook keeps the builds short)."""
    root = tmp_path / "project"
    raw = root / "data" / "raw"
    shutil.copytree(SMALL / "raw", raw)
    processed_from(raw, root / "data" / "processed")
    timing = next(nb for nb in NOTEBOOKS if nb.stem == "03-response-timing")
    (root / "notebooks").mkdir()
    shutil.copyfile(timing, root / "notebooks" / timing.name)
    env = {**os.environ, "TROOPCLAIMS_ROOT": str(root), "SOURCE_DATE_EPOCH": EPOCH}
    return root, env


def _report_command(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "troopclaims.cli", "report", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def _digests(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.mark.slow
def test_a_variant_is_built_beside_the_canonical_report_which_stays_byte_identical(
    tmp_path: Path,
) -> None:
    root, env = _project(tmp_path)
    reports = root / "reports"
    done = _report_command(env)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "wrote reports/report.html and reports/report.pdf"
    canonical = _digests(reports)
    assert {"report.html", "report.pdf", "executed/03-response-timing.ipynb"} <= set(canonical)
    html = (reports / "report.html").read_text(encoding="utf-8")
    assert '<p class="parameters">Parameters: the notebooks\' defaults.</p>' in html

    params = tmp_path / "params" / "korean-label.yaml"
    params.parent.mkdir()
    params.write_text(f"03-response-timing:\n  reference_label: {KOREAN_LABEL}\n", "utf-8")
    done = _report_command(env, "--params", str(params))
    assert done.returncode == 0, done.stderr
    variant = reports / "korean-label"
    assert done.stdout.splitlines()[-1] == (
        "wrote reports/korean-label/report.html and reports/korean-label/report.pdf"
    )
    assert (variant / "executed" / "03-response-timing.ipynb").is_file()
    assert (variant / "report.pdf").read_bytes().startswith(b"%PDF")
    page = (variant / "report.html").read_text(encoding="utf-8")
    assert (
        f'<p class="parameters">Parameters: from <code>{params}</code>: 03-response-timing: '
        f"reference_label = '{KOREAN_LABEL}' (everything else at the notebooks' "
        "defaults).</p>"
    ) in page
    after = {k: v for k, v in _digests(reports).items() if not k.startswith("korean-label/")}
    assert after == canonical  # the canonical report and its notebooks: not one byte changed


@pytest.mark.parametrize(
    ("file_name", "why"),
    [
        (".hidden.yaml", "it starts with a dot"),
        (".yaml", "it starts with a dot"),
        ("executed.yaml", "reports/executed/ is taken"),
        ("validation.yml", "reports/validation/ is taken"),
        ("tab\there.yaml", "it holds a control character"),
        ("back\\slash.yaml", "it holds a path separator"),
        ("Executed.yaml", "reports/Executed/ is taken"),  # the same folder where case folds
        (
            "report.html.yaml",
            "only letters, digits, '-' and '_' make a folder name every system keeps apart",
        ),  # would make reports/report.html/, named like the canonical file
        (
            "spa ce.yaml",
            "only letters, digits, '-' and '_' make a folder name every system keeps apart",
        ),
    ],
)
def test_a_params_file_whose_name_cannot_name_a_report_folder_is_refused(
    tmp_path: Path, file_name: str, why: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Refused in one line, exit 2, before any notebook runs or any file is written."""
    path = tmp_path / file_name
    path.write_text("output_dir: ''\n", encoding="utf-8")
    assert cli.main(["report", "--params", str(path)]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err[0] == (
        f"ERROR parameters file {str(path)!r}: its name cannot name a report folder under "
        f"reports/ ({why}): rename the file (letters, digits, '-', '_')"
    )
    assert err[1:] == ["report not updated: the previous report.html/report.pdf are intact."]


def test_a_params_file_names_its_variant_and_no_params_the_canonical_report() -> None:
    assert report.outputs_for(None) == report.Outputs(
        config.EXECUTED_DIR, config.REPORT_HTML, config.REPORT_PDF
    )
    named = report.outputs_for(Path("elsewhere/timing-en.yaml"))
    assert named.html == config.REPORTS_DIR / "timing-en" / "report.html"
    assert named.pdf == config.REPORTS_DIR / "timing-en" / "report.pdf"
    assert named.executed_dir == config.REPORTS_DIR / "timing-en" / "executed"


@pytest.mark.parametrize("value", ["99999999999999", "9" * 5000])
def test_a_huge_source_date_epoch_is_one_error_line_not_an_internal_error(
    monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", value)
    monkeypatch.setattr(execute, "execute_all", lambda *a, **k: pytest.fail("ran notebooks"))
    err = io.StringIO()
    with redirect_stderr(err):
        code = cli.main(["report", "build"])
    assert code == 2
    assert err.getvalue().startswith("ERROR SOURCE_DATE_EPOCH is out of range")
    assert "internal error" not in err.getvalue()


def test_an_untracked_notebook_makes_the_build_dirty_and_an_untracked_drop_does_not(
    tmp_path: Path, monkeypatch
) -> None:
    """A notebook git does not track is still executed into the report: the provenance must not
    say the build is the commit alone. An ingested drop is named by its hashes instead."""
    from troopclaims.report import provenance

    def git(*args: str) -> None:
        subprocess.run(["git", *args], cwd=tmp_path, check=True, capture_output=True)

    (tmp_path / "notebooks").mkdir()
    (tmp_path / "notebooks" / "00-a.ipynb").write_text("{}", encoding="utf-8")
    git("init", "-q")
    git("add", "-A")
    git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "a")
    monkeypatch.setattr(config, "ROOT", tmp_path)
    assert provenance.git_state()["dirty"] == "no"
    (tmp_path / "data" / "raw" / "drops" / "d").mkdir(parents=True)
    (tmp_path / "data" / "raw" / "drops" / "d" / "claims.csv").write_text("x", encoding="utf-8")
    assert provenance.git_state()["dirty"] == "no"
    (tmp_path / "notebooks" / "05-extra.ipynb").write_text("{}", encoding="utf-8")
    assert provenance.git_state()["dirty"] == "yes"


def test_the_sample_is_said_from_the_articles_the_report_was_built_from(tmp_path: Path) -> None:
    """The methodology's limits said "Five French-language articles" whatever was ingested."""
    from troopclaims.report import provenance

    header = "article_id,language,published_date,date_precision,date_basis,outlet\n"
    rows = [
        "A1,fr,2024-10-23,day,inferred_context,unknown",
        "A2,fr,,unknown,unknown,unknown",
        "E1,en,2024-10-24,day,stated,Reuters",
        "D1,de,2024-10-01,month,stated,unknown",
    ]
    (tmp_path / "articles.csv").write_text(header + "\n".join(rows) + "\n", encoding="utf-8")
    assert provenance.sample_words(tmp_path) == (
        "Four articles in English, French and German (two dated to a day, one as stated, the "
        "rest by inference; two without a day), one naming its outlet"
    )
    assert provenance.sample_words(None) == "The articles"
