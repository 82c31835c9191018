"""`make explore`: claims.db built from the real data, and Datasette serving it on 127.0.0.1.

The database is built in a temp folder from the real raw data, typed and processed as
`troopclaims process` does but without running validation again (Great Expectations costs
seconds; the real data's validation has its own tests): the parquet files and a sources.json
are written from the frames, as the notebook tests write theirs, so `explore.build` reads them
through the same currency check as on a real run. The saved queries are compared with the
report's own Python computations on the same data, and one Datasette process, started as
`make explore` starts it but on a port the system picks, answers the JSON API; it is stopped
whatever happens.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NamedTuple

import pandas as pd
import pytest
import raw_files
import sqlite_utils

from troopclaims import config, contract
from troopclaims.intake import snapshot
from troopclaims.report import analysis, explore, response_dates
from troopclaims.store import manifest, process

START_TIMEOUT = 60  # a hang limit, far above Datasette's second or so
KNOWN_CLAIM = "A000-01"  # "la Corée du Nord a déjà commencé à déployer quatre brigades, ..."


class Built(NamedTuple):
    db: Path
    metadata: Path
    claims: pd.DataFrame
    articles: pd.DataFrame


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """claims.db and its metadata, built by `explore.build` from processed tables of the real
    raw data (written with a sources.json, so `process.read_processed` trusts them)."""
    root = tmp_path_factory.mktemp("explore")
    out = root / "processed"
    out.mkdir()
    sources = [snapshot.read_source(s) for s in snapshot.dataset_sources(config.RAW_DIR)]
    raw_claims, raw_articles = raw_files.read_sources(sources)
    typed_claims, typed_articles = (
        process.type_claims(raw_claims),
        process.type_articles(raw_articles),
    )
    claims = process.build_claims_table(typed_claims, typed_articles)
    articles = process.build_articles_table(typed_claims, typed_articles)
    paths = {config.PROCESSED_CLAIMS.name: out / config.PROCESSED_CLAIMS.name}
    paths[config.PROCESSED_ARTICLES.name] = out / config.PROCESSED_ARTICLES.name
    claims.to_parquet(paths[config.PROCESSED_CLAIMS.name], index=False)
    articles.to_parquet(paths[config.PROCESSED_ARTICLES.name], index=False)
    (out / manifest.SOURCES_NAME).write_text(manifest.record(out, paths, None), encoding="utf-8")
    db, meta = explore.build(out, raw_dir=root)
    claims, articles = process.read_processed(out)  # as the database got them
    return Built(db, meta, claims, articles)


def _rows(db: Path, sql: str, params: dict | None = None) -> list[dict[str, Any]]:
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        conn.row_factory = sqlite3.Row
        return [dict(r) for r in conn.execute(sql, params or {})]


def _metadata(built: Built) -> dict:
    return json.loads(built.metadata.read_text(encoding="utf-8"))


# --- The database --------------------------------------------------------------------------------


def test_both_tables_hold_every_row_with_their_keys(built: Built) -> None:
    db = sqlite_utils.Database(built.db)
    assert {"claims", "articles"} <= set(db.table_names())
    assert db["claims"].count == len(built.claims) and db["articles"].count == len(built.articles)
    assert db["claims"].pks == ["claim_id"] and db["articles"].pks == ["article_id"]
    assert db["claims"].columns_dict.keys() == set(built.claims.columns)
    keys = {(fk.column, fk.other_table, fk.other_column) for fk in db["claims"].foreign_keys}
    assert keys == {
        ("article_id", "articles", "article_id"),
        ("anchor_claim_id", "claims", "claim_id"),
    }
    assert explore.foreign_key_problems(built.db) == []


def test_values_read_as_the_published_csv_writes_them(built: Built) -> None:
    """Dates as YYYY-MM-DD text, figures as integers, booleans 0/1, a missing cell NULL."""
    (row,) = _rows(built.db, "select * from claims where claim_id = ?", (KNOWN_CLAIM,))
    source = built.claims.set_index("claim_id").loc[KNOWN_CLAIM]
    assert row["figure"] == int(source["figure"]) and isinstance(row["figure"], int)
    assert row["quote"] == source["quote"]
    assert row["statement_date"] is None and pd.isna(source["statement_date"])
    assert row["source_error"] in (0, 1)
    dated = _rows(built.db, "select derived_date from claims where derived_date is not null")
    assert dated and all(re.fullmatch(r"\d{4}-\d{2}-\d{2}", r["derived_date"]) for r in dated)


def test_full_text_search_finds_a_word_of_a_known_quote_accents_folded(built: Built) -> None:
    """'deployer' finds 'déployer' in A000-01's quote (unicode61, diacritics removed)."""
    db = sqlite_utils.Database(built.db)
    assert db["claims"].detect_fts() == "claims_fts"
    found = [r["claim_id"] for r in db["claims"].search("deployer")]
    assert KNOWN_CLAIM in found
    assert all(
        "déploy" in q.casefold() for q in built.claims.set_index("claim_id").loc[found, "quote"]
    )
    assert list(db["claims"].search("zzzunknownword")) == []


def test_a_failed_build_leaves_the_previous_files(
    built: Built, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = {p.name: p.read_bytes() for p in (built.db, built.metadata)}

    def broken(*args: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(explore, "write_db", broken)
    with pytest.raises(RuntimeError):
        explore.build(built.db.parent, raw_dir=built.db.parent.parent)
    assert {p.name: p.read_bytes() for p in (built.db, built.metadata)} == before
    assert [p.name for p in built.db.parent.iterdir() if p.name.startswith(".")] == []


# --- The metadata --------------------------------------------------------------------------------


def test_metadata_describes_every_column_and_each_controlled_value(built: Built) -> None:
    meta = _metadata(built)
    tables = meta["databases"][explore.DATABASE]["tables"]
    assert set(tables["claims"]["columns"]) == set(built.claims.columns)
    assert set(tables["articles"]["columns"]) == set(built.articles.columns)
    assert all(tables["claims"]["columns"].values())
    group = tables["claims"]["columns"]["claimant_group"]
    for value, meaning in contract.CLAIMANT_GROUPS.items():
        assert f"{value}: {meaning.rstrip('.')}" in group
    category = tables["claims"]["columns"]["category"]
    assert all(v in category for values in contract.CATEGORIES.values() for v in values)
    assert "`" not in json.dumps(tables)  # Markdown marks, shown raw by Datasette


def test_metadata_names_licence_source_facets_and_queries(built: Built) -> None:
    meta = _metadata(built)
    assert meta["license_url"] == "https://creativecommons.org/publicdomain/zero/1.0/"
    assert "CC0" in meta["license"] and "publishers" in meta["license"]
    assert str(len(built.articles)) in meta["source"]
    database = meta["databases"][explore.DATABASE]
    facets = database["tables"]["claims"]["facets"]
    assert facets == ["claimant_group", "kind", "category", "article_id"]
    assert set(facets) <= set(built.claims.columns)
    articles = database["tables"]["articles"]["description"]
    assert all(a in articles for a in built.articles["article_id"])
    assert set(database["queries"]) == {"estimates_by_framing", "first_response_per_group"}


def test_query_kinds_are_the_reports() -> None:
    assert (explore.ESTIMATE, explore.RESPONSE) == (analysis.ESTIMATE, analysis.RESPONSE)


# --- The saved queries agree with the report -----------------------------------------------------


def _estimates_expected(claims: pd.DataFrame) -> list[tuple]:
    """The report's matching of estimates (``analysis.corroboration``), one row per key."""
    table = analysis.corroboration(claims)
    table = table[table["kind"] == analysis.ESTIMATE]
    return sorted(
        (r.key, r.n_articles, r.n_claims, r.articles, r.claim_ids) for r in table.itertuples()
    )


def _estimates_found(rows: list[dict]) -> list[tuple]:
    return sorted(
        (
            f"{r['figure']:,} {r['unit']} · {r['framing']}",
            r["n_articles"],
            r["n_claims"],
            r["articles"],
            r["claim_ids"],
        )
        for r in rows
    )


def test_estimates_by_framing_is_the_reports_matching(built: Built) -> None:
    rows = _rows(built.db, explore.estimates_by_framing_sql())
    assert _estimates_found(rows) == _estimates_expected(built.claims)
    framings = list(contract.CATEGORIES[analysis.ESTIMATE])
    order = [framings.index(r["framing"]) for r in rows]
    assert order == sorted(order)


def _first_expected(claims: pd.DataFrame, override: str = "") -> list[dict]:
    """The report's first-responses table (section 2) for this reference."""
    reference = response_dates.reference_date(claims, override)
    timing = response_dates.response_timing(claims, reference)
    return response_dates.first_responses(timing).to_dict("records")


@pytest.mark.parametrize("override", ["", "2024-10-21"])
def test_first_response_per_group_is_the_reports(built: Built, override: str) -> None:
    rows = _rows(built.db, explore.first_response_sql(), {"reference_date": override})
    assert rows == _first_expected(built.claims, override)
    assert len(rows) >= 5  # the real data: several groups answered


# --- Datasette -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def server(built: Built, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Datasette as `make explore` runs it, on a port the system picks (0), read from its log;
    terminated (killed if it lingers) however the tests end."""
    log_path = tmp_path_factory.mktemp("datasette") / "datasette.log"
    command = explore.serve_command(built.db, built.metadata, 0)
    with log_path.open("wb") as log:
        proc = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while not (
            found := re.search(r"running on http://127\.0\.0\.1:(\d+)", log_path.read_text())
        ):
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"datasette did not start: {log_path.read_text()}")
            time.sleep(0.1)
        yield f"http://127.0.0.1:{found.group(1)}"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


# No proxy: a test's request to the loopback address must not go through one from the env.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def _get(base: str, path: str) -> str:
    with _OPENER.open(f"{base}{path}", timeout=10) as response:
        return response.read().decode("utf-8")


def _json(base: str, path: str) -> Any:
    return json.loads(_get(base, path))


def test_serves_on_the_loopback_address_only() -> None:
    command = explore.serve_command(Path("x.db"), Path("m.json"), 8001)
    assert command[command.index("--host") + 1] == "127.0.0.1"


def test_the_facets_count_the_claims(built: Built, server: str) -> None:
    data = _json(server, "/claims/claims.json?_size=0")  # the facets the metadata sets
    assert data["filtered_table_rows_count"] == len(built.claims)
    results = data["facet_results"]
    assert set(results) == set(explore.FACETS)
    for column in explore.FACETS:
        counts = {str(r["value"]): r["count"] for r in results[column]["results"]}
        expected = built.claims[column].astype(str).value_counts()
        assert counts == expected.to_dict(), column


def test_a_facet_value_filters_the_table(built: Built, server: str) -> None:
    rows = _json(server, "/claims/claims.json?_shape=array&claimant_group=North+Korea")
    expected = built.claims[built.claims["claimant_group"] == "North Korea"]["claim_id"]
    assert sorted(r["claim_id"] for r in rows) == sorted(expected)


def test_search_finds_the_known_quote(server: str) -> None:
    rows = _json(server, "/claims/claims.json?_shape=array&_search=brigades")
    assert KNOWN_CLAIM in [r["claim_id"] for r in rows]


def test_the_saved_queries_answer_as_the_report(built: Built, server: str) -> None:
    rows = _json(server, "/claims/first_response_per_group.json?_shape=array")
    assert rows == _first_expected(built.claims)
    shifted = _json(
        server, "/claims/first_response_per_group.json?_shape=array&reference_date=2024-10-21"
    )
    assert shifted == _first_expected(built.claims, "2024-10-21")
    rows = _json(server, "/claims/estimates_by_framing.json?_shape=array")
    assert _estimates_found(rows) == _estimates_expected(built.claims)


def test_metadata_licence_and_descriptions_are_served(server: str) -> None:
    meta = _json(server, "/-/metadata.json")
    assert meta["license_url"].startswith("https://creativecommons.org/publicdomain/zero/")
    page = _get(server, "/claims/claims")
    assert "CC0 1.0" in page and 'class="column-descriptions"' in page
    assert "South Korea: The South Korean state" in page


def test_nothing_is_loaded_from_the_network(server: str) -> None:
    """No plugin (none could phone home), and the pages load only Datasette's own files."""
    assert _json(server, "/-/plugins.json") == []
    pages = ("/claims", "/claims/claims?_facet=claimant_group", "/claims/first_response_per_group")
    for path in pages:
        page = _get(server, path)
        loaded = re.findall(r'<(?:script|link|img)\b[^>]*\b(?:src|href)="([^"]*)"', page)
        assert loaded and all(url.startswith(("/", server)) for url in loaded), loaded
    assert "column-descriptions" in _get(server, f"/{explore.STATIC_MOUNT}/explore.css")


# --- The command ---------------------------------------------------------------------------------


@pytest.mark.parametrize("port", ["x", "-1", "65536", "80 80", "¹", "٨٠"])  # digits in Unicode only
def test_a_bad_port_is_a_usage_error(port: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert explore.main(["serve", "--port", port]) == 2
    assert capsys.readouterr().err.startswith("ERROR PORT must be a TCP port number")


def test_the_port_defaults_and_comes_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert explore.parse_port(None) == explore.parse_port("") == explore.DEFAULT_PORT
    assert explore.parse_port("8123") == 8123 and explore.parse_port("0") == 0
    monkeypatch.setenv(explore.PORT_ENV, "not-a-port")  # make explore PORT=... passes it so
    assert explore.main(["serve"]) == 2
    assert "not-a-port" in capsys.readouterr().err


def test_stale_processed_data_is_refused_with_what_to_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(config, "PROCESSED_DIR", tmp_path)
    monkeypatch.setattr(config, "RAW_DIR", tmp_path)
    monkeypatch.setenv(explore.PORT_ENV, "not-a-port")  # make exports it; a build ignores it
    assert explore.main(["build"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("ERROR ") and "troopclaims process" in err
    assert not (tmp_path / explore.DB_FILE).exists()


def test_the_stylesheet_shows_each_set_facet_once() -> None:
    """A ?_facet= naming a facet the metadata sets draws it twice in Datasette 0.65
    (simonw/datasette#1469); the stylesheet hides the copy of each of ours."""
    css = explore.STYLE_FILE.read_text(encoding="utf-8")
    for column in explore.FACETS:
        rule = f'.facet-info[data-column="{column}"] ~ .facet-info[data-column="{column}"]'
        assert rule in css, column


# --- make explore --------------------------------------------------------------------------------

# Each payload, if a shell or make itself ran it, would create the marker file named by $MARK.
PORT_PAYLOADS = {
    "dollar-paren": "8001 $(touch $MARK)",
    "backticks": "8001`touch $MARK`",
    "quotes": '8001"; touch $MARK; "',
    "make-shell": "8001$(shell touch $MARK)",
    "option": "--help",
    "newline": "8001\n$(touch $MARK)",
}


@pytest.mark.parametrize("name", PORT_PAYLOADS)
def test_make_explore_passes_port_as_data(name: str, tmp_path: Path) -> None:
    """PORT reaches the command from the environment, never pasted into the shell: each payload
    is refused (a line break by make's own check) and none runs. The database's rules are
    skipped (-o) and TROOPCLAIMS_ROOT points at an empty project, so nothing is built."""
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    stale = subprocess.run(["make", "-q", "-C", str(config.ROOT), ".venv/.troopclaims-installed"])
    if stale.returncode != 0:
        pytest.skip("the venv is not up to date: this test must not reinstall it")
    skip_build = [
        arg for f in ("claims.db", "claims.metadata.json") for arg in ("-o", f"data/processed/{f}")
    ]
    mark = tmp_path / "ran"
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MAKELEVEL", "PORT")}
    env.update(MARK=str(mark), TROOPCLAIMS_ROOT=str(tmp_path))
    value = PORT_PAYLOADS[name]
    result = subprocess.run(
        ["make", "-s", "-C", str(config.ROOT), "explore", *skip_build, f"PORT={value}"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2, result.stderr
    first = result.stderr.splitlines()[0]
    expected = "PORT holds a control character" if "\n" in value else "ERROR PORT must be"
    assert first.startswith(expected), result.stderr
    assert not mark.exists()
