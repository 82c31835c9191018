"""Issue 21 item 2: ``validate DROP`` says what ingesting a valid drop would change on page 1.

Done when "for every example drop, the impact lines match what the rebuilt report says after the
ingest". A curator's loop, run in-process on a scratch copy of data/raw/: validate a drop (its
impact read from ``--json``), ingest it, read page 1 as it now stands, then the next drop. Each
change must quote words that page 1 shows after the ingest (``page_one``, also in the line), and
each "was" it quotes must be on page 1 before it. Page 1 is read the way the report writes it:
``findings.findings_html`` of ``findings.key_findings`` on the processed data (the page-1
notebook's one cell); the last drop's is read from a real report built after its ingest (its
page-1 notebook executed and the HTML/PDF assembled), so the shortcut is checked once against
the real thing. The responses' kinds (no example drop brings a response) are checked on frames.
"""

from __future__ import annotations

import html
import json
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
import raw_files

from troopclaims import cli, config
from troopclaims.intake import snapshot
from troopclaims.report import assemble as report
from troopclaims.report import execute, findings, impact
from troopclaims.store import process

EXAMPLES = Path(__file__).parent / "fixtures" / "examples"
BROKEN = Path(__file__).parent / "fixtures" / "drops" / "negative_figure"
# Every example drop, in two chains (one per core: a validation and an ingest cost ~4 s a drop),
# each in the order a curator folds them in; the second chain's last drop gets the real report.
CHAINS = {
    "first": (
        "french-excel",
        "v1-french-excel",
        "v1-russian-excel",
        "draft-korean",
        "korean-long-ids",
    ),
    "then-the-report": ("draft-russian", "v1-script", "draft-german", "english-wire"),
}
PAGE_ONE = re.compile(r'<ul class="findings">(.*?)</ul>', re.S)
QUOTED = re.compile(r"“([^“”]*(?:“[^“”]*”[^“”]*)*)”")


def _page_one(html_text: str) -> str:
    """Page 1's findings as a reader sees them: the list of findings, tags dropped."""
    block = PAGE_ONE.search(html_text).group(1)
    return html.unescape(re.sub(r"<[^>]+>", "", block))


def _page_one_of(claims: pd.DataFrame) -> str:
    """Page 1 of these processed claims, composed as the page-1 notebook composes it."""
    return _page_one(findings.findings_html(findings.key_findings(claims), ""))


def _check(change: dict, before: str, after: str) -> None:
    """One change against page 1 before and after the ingest."""
    assert change["kind"] in impact.KINDS
    assert change["page_one"], change
    for words in change["page_one"]:
        assert f"“{words}”" in change["text"], (words, change["text"])
        assert words in after, (words, after)
    was = change["text"].partition(", was “")[2]
    if was:
        assert was.rsplit("”", 1)[0] in before, (was, before)
    if change["kind"] == "range":
        assert change["page_one"][0] not in before  # a range that moved says its new words
    if change["kind"] == "claimant_group":
        group = change["text"].split(" now gives ")[0].split(" first responds ")[0]
        assert group in after


@pytest.fixture
def project(tmp_path: Path, monkeypatch) -> Path:
    """A scratch project (data/raw/ copied) that the in-process command writes to."""
    root = tmp_path / "project"
    shutil.copytree(config.RAW_DIR, root / "data" / "raw")
    (root / "data" / "processed").mkdir(parents=True)
    monkeypatch.setattr(config, "RAW_DIR", root / "data" / "raw")
    monkeypatch.setattr(config, "PROCESSED_DIR", root / "data" / "processed")
    monkeypatch.setattr(config, "VALIDATION_DIR", root / "reports" / "validation")
    return root


@pytest.mark.slow
@pytest.mark.parametrize("chain", CHAINS)
def test_each_example_drop_s_impact_is_what_page_one_says_after_its_ingest(
    chain: str, project: Path, capsys
) -> None:
    before = _page_one_of(
        impact.processed_claims(*raw_files.read_sources(snapshot.dataset_sources()))
    )
    for name in CHAINS[chain]:
        drop = project / "incoming" / name
        shutil.copytree(EXAMPLES / name, drop)
        result = project / f"{name}.json"
        assert cli.main(["validate", str(drop), "--json", str(result)]) == 0
        out = capsys.readouterr()
        found = json.loads(result.read_text(encoding="utf-8"))["impact"]
        assert out.out.splitlines()[-len(impact.lines(found)) :] == impact.lines(found)
        assert "impact" not in out.err  # problem lines and the verdict alone on stderr
        assert out.err.splitlines()[-1].startswith("validation PASSED")
        assert found["changed"] and found["changes"], name  # every example changes page 1
        page = next(project.joinpath("reports", "validation").glob(f"drop-{name}-*.html"))
        shown = page.read_text(encoding="utf-8")
        assert all(html.escape(c["text"], quote=False) in shown for c in found["changes"])

        assert cli.main(["ingest", str(drop)]) == 0
        capsys.readouterr()
        after = _page_one_of(process.read_processed()[0])
        for change in found["changes"]:
            _check(change, before, after)
        before = after

    if chain != "then-the-report":
        return
    # The last drop's page 1, from a real report built after its ingest.
    notebook = [nb for nb in execute.source_notebooks() if nb.name.startswith("00-")]
    build = project / "build"
    params = {"processed_dir": str(config.PROCESSED_DIR)}
    executed = execute.execute_all(notebook, build / "executed", params, notebook)
    html_path, _ = report.build(executed, build / "report.html", build / "report.pdf")
    real = _page_one(html_path.read_text(encoding="utf-8"))
    for change in found["changes"]:
        assert all(words in real for words in change["page_one"]), change
    assert real == after


def test_an_invalid_drop_prints_no_impact(tmp_path: Path, capsys, monkeypatch) -> None:
    monkeypatch.setattr(config, "VALIDATION_DIR", tmp_path / "validation")
    result = tmp_path / "r.json"
    assert cli.main(["validate", str(BROKEN), "--json", str(result)]) == 1
    out = capsys.readouterr()
    assert "impact" not in out.out + out.err
    assert "impact" not in json.loads(result.read_text(encoding="utf-8"))


# --- The kinds no example drop reaches (responses), on frames ---------------------------------


@pytest.fixture(scope="module")
def dataset() -> pd.DataFrame:
    """The dataset's claims as ``process`` builds them (no validation needed to read them)."""
    claims, articles = raw_files.read_sources(snapshot.dataset_sources())
    return impact.processed_claims(claims, articles)


def _response(claims: pd.DataFrame, like: str, claim_id: str, day: str, **cells) -> pd.DataFrame:
    """A copy of response ``like`` as a new claim of a new article, dated to ``day``."""
    row = claims[claims["claim_id"] == like].copy()
    when = pd.Timestamp(day)
    row = row.assign(claim_id=claim_id, article_id=claim_id[:4], statement_date=when)
    row = row.assign(derived_date=when, derived_earliest=when, derived_latest=when, **cells)
    row["derived_precision"] = "day"
    return row


def test_an_earlier_first_response_a_new_group_and_a_new_doubt_are_said(dataset) -> None:
    after = pd.concat(
        [
            dataset,
            _response(dataset, "A003-10", "Z001-01", "2024-10-16"),  # France, two days earlier
            _response(dataset, "A003-10", "Z001-02", "2024-10-20", claimant_group="Japan"),
            _response(dataset, "A002-01", "Z001-03", "2024-10-22", category="confirmation"),
        ],
        ignore_index=True,
    )
    found = impact.compare(
        findings.key_findings(dataset), findings.key_findings(after), {"Z001-01", "Z001-02"}
    )
    text = " ".join(f.text for f in findings.key_findings(after))
    kinds = {c.kind: c for c in found.changes}
    assert (
        "France's first response dated to the day moves earlier, to 16 October 2024 (was 18 "
        in (kinds["first_response"].text)
    )
    assert kinds["claimant_group"].text.startswith("Japan first responds on 20 October 2024")
    assert "North Korea both denied the reports" in kinds["contradiction"].text
    for change in found.changes:
        assert all(words in text for words in change.page_one), change


def test_a_drop_that_changes_nothing_says_so_in_one_line(dataset) -> None:
    same = findings.key_findings(dataset)
    found = impact.compare(same, same, set())
    assert found.lines() == [impact.NO_CHANGE] and "\n" not in impact.NO_CHANGE
    assert found.to_dict() == {
        "computed": True,
        "changed": False,
        "summary": impact.NO_CHANGE,
        "changes": [],
    }


def test_a_drop_above_the_row_bound_says_its_impact_was_not_computed(
    tmp_path: Path, capsys, monkeypatch
) -> None:
    """The bound that keeps validate linear (page 1's analysis is not: ~220 s and 7 GB at a
    million rows): above it, one line says why there is no impact, never a wrong 'none'."""
    import jsonschema

    monkeypatch.setattr(config, "VALIDATION_DIR", tmp_path / "validation")
    monkeypatch.setattr(impact, "MAX_ROWS", 1)
    result = tmp_path / "r.json"
    assert cli.main(["validate", str(EXAMPLES / "english-wire"), "--json", str(result)]) == 0
    out = capsys.readouterr().out
    summary = (
        "impact on the key findings (page 1) not computed: the drop brings 4 claim rows, above 1"
    )
    assert summary in out and impact.NO_CHANGE not in out
    doc = json.loads(result.read_text(encoding="utf-8"))
    assert doc["impact"]["computed"] is False and doc["impact"]["changes"] == []
    schema = json.loads((config.ROOT / "schemas" / "validation.schema.json").read_text("utf-8"))
    jsonschema.Draft202012Validator(schema).validate(doc)


def test_a_second_article_for_the_first_day_s_responses_is_said(dataset) -> None:
    """Page 1 says what the first day's responses rest on (one article, whose own date is
    inferred): a drop that adds an article stating its date changes that sentence."""
    first = dataset[dataset["claim_id"] == "A003-10"]["derived_date"].iloc[0]
    added = _response(dataset, "A003-10", "Z001-01", str(first.date()))
    added["article_date_basis"] = "stated"
    after = pd.concat([dataset, added], ignore_index=True)
    before_page, after_page = findings.key_findings(dataset), findings.key_findings(after)
    found = impact.compare(before_page, after_page, {"Z001-01"})
    [change] = [c for c in found.changes if c.text.startswith("first responses: ")]
    assert change.kind == "corroboration"
    [words] = change.page_one
    assert words.startswith(f"The responses dated {findings._day(first)} rest on 2 articles")
    assert words in " ".join(f.text for f in after_page)
    was = change.text.partition(", was “")[2].rsplit("”", 1)[0]
    assert was.startswith("Every response dated") and was in " ".join(f.text for f in before_page)
