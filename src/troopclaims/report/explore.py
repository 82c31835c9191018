"""``make explore``: the processed claims as a SQLite database, served by Datasette.

Why: editors and journalists who do not write Python need to filter the claims by claimant
group, search the quotes and follow a claim to its article; in newsrooms Datasette is the usual
way to put a table in front of them. So ``build`` writes ``data/processed/claims.db`` (both
tables, the foreign keys, full-text search on the quotes) with sqlite-utils, and beside it the
Datasette metadata (``claims.metadata.json``): each column's description and the meaning of
each controlled value, taken from the same field descriptors the Data Package publishes
(``datapackage.fields_for``: the contract's vocabularies and ``data/README.md``'s column
meanings), the licence, the sources, the facets, and saved queries for the questions the
report answers. ``serve`` runs Datasette on 127.0.0.1 only.

The database is derived data like its neighbours: built from the processed tables once
``manifest`` says they match data/raw/ (``process.read_processed``), the values written as the
published CSVs write them (``datapackage.csv_frame``: dates ``YYYY-MM-DD``, integers, booleans
0/1 in SQLite, an empty cell NULL), and each file renamed into place whole (``atomic``).

Nothing here reaches the network: Datasette binds the loopback address, loads no plugin (the
lock installs none; ``tests/test_explore.py`` checks ``/-/plugins.json``), has no update
check, and its pages load only its own static files.

Run as ``python -m troopclaims.report.explore [build|serve] [--port N]`` (both, in that
order, when no step is named); ``make explore`` builds through make, so an unchanged database
is not rebuilt.
Serving imports neither pandas nor the package's data modules (they are imported by the
functions that build), so a wrong ``PORT`` is refused at once.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from troopclaims import atomic, config, contract
from troopclaims.errors import TroopclaimsError, UsageError

if TYPE_CHECKING:
    import pandas as pd

DB_FILE = "claims.db"
METADATA_FILE = "claims.metadata.json"
DATABASE = Path(DB_FILE).stem  # Datasette names a database after its file: /claims/...
HOST = "127.0.0.1"  # the loopback address only: the server is for the person running it
DEFAULT_PORT = 8001  # Datasette's own default
PORT_ENV = "PORT"
PRIMARY_KEYS = {"claims": "claim_id", "articles": "article_id"}
# (column, table, column) of each claims foreign key: the article a claim is reported in, and
# the claim of another article a date is inferred from (datapackage.json declares both).
FOREIGN_KEYS = (("article_id", "articles", "article_id"), ("anchor_claim_id", "claims", "claim_id"))
FTS_COLUMNS = ("quote",)
# unicode61 folds case and, with remove_diacritics 2, accents: 'seoul' finds 'Séoul'.
FTS_TOKENIZER = "unicode61 remove_diacritics 2"
FACETS = ("claimant_group", "kind", "category", "article_id")
# The kinds the saved queries select (the report's ``analysis.ESTIMATE``/``RESPONSE``; not
# imported from there, so serving Datasette loads no pandas).
ESTIMATE, RESPONSE = "troop_estimate", "response"
SQL_TYPES = {"integer": int, "boolean": int, "date": str, "string": str}
# Shown in each cell of the table pages: a long quote or note is cut there (with an ellipsis)
# so a page of 86 claims stays readable; a claim's own page shows every word.
TRUNCATE_CELLS = 240
STYLE_FILE = config.PACKAGE_DIR / "templates" / "explore" / "explore.css"
STATIC_MOUNT = "troopclaims"


class PortError(UsageError):
    """``PORT`` (or ``--port``) is not a TCP port number."""


# --- The database ------------------------------------------------------------------------------


def table_fields(claims: pd.DataFrame, articles: pd.DataFrame) -> dict[str, list[dict]]:
    """The Table Schema field of every column of both processed tables, as datapackage.json
    publishes them (type, description, each controlled value's definition).

    Why the same descriptors: the database and the package then cannot describe a column two
    ways. No required cells here: they come from the validation rules, whose import (Great
    Expectations) would cost seconds, and the database was validated before it was written.
    """
    from troopclaims.store import datapackage

    meanings = datapackage.column_meanings()
    return {
        "claims": datapackage.fields_for("claims", claims.columns, meanings, {}),
        "articles": datapackage.fields_for("articles", articles.columns, meanings, {}),
    }


def sqlite_rows(frame: pd.DataFrame, fields: list[dict]) -> Iterator[dict[str, Any]]:
    """Each row of ``frame`` as SQLite values: the published CSV's text of each cell
    (``datapackage.csv_frame``), then integers as integers, booleans as 0/1 and an empty
    cell as NULL. Why through the CSV's text: a date then reads ``2024-10-18`` in Datasette,
    in a SQL query and in claims.csv alike, and compares as text in the right order."""
    from troopclaims.store import datapackage

    text = datapackage.csv_frame(frame, fields)
    kinds = {f["name"]: f["type"] for f in fields}
    for record in text.to_dict("records"):
        yield {name: _sql_value(value, kinds[name]) for name, value in record.items()}


def _sql_value(value: str, kind: str) -> Any:
    """One CSV cell as the SQLite value of its field's type (None when empty)."""
    if value == "":
        return None
    if kind == "integer":
        return int(value)
    if kind == "boolean":
        return int(value == "true")
    return value


def column_types(fields: list[dict]) -> dict[str, type]:
    """``column -> Python type`` in the table's order, as sqlite-utils creates columns."""
    return {f["name"]: SQL_TYPES[f["type"]] for f in fields}


def write_db(
    path: Path, claims: pd.DataFrame, articles: pd.DataFrame, fields: Mapping[str, list[dict]]
) -> None:
    """Write both tables into a new SQLite file at ``path`` (a temporary name: the caller
    renames it): primary and foreign keys, an index per facet column, and FTS5 on the quotes.

    No triggers keep the search index in step with edits: the file is rebuilt whole from
    data/processed/ and Datasette opens it immutable.
    """
    import sqlite_utils

    db = sqlite_utils.Database(path)
    try:
        db["articles"].create(column_types(fields["articles"]), pk=PRIMARY_KEYS["articles"])
        db["claims"].create(
            column_types(fields["claims"]),
            pk=PRIMARY_KEYS["claims"],
            foreign_keys=[fk for fk in FOREIGN_KEYS if fk[1] != "claims"],
        )
        db["articles"].insert_all(sqlite_rows(articles, fields["articles"]))
        db["claims"].insert_all(sqlite_rows(claims, fields["claims"]), batch_size=1000)
        # A foreign key to its own table can only be added once the table exists.
        db.add_foreign_keys([("claims", *fk) for fk in FOREIGN_KEYS if fk[1] == "claims"])
        for column in FACETS:
            db["claims"].create_index([column])
        db["claims"].enable_fts(list(FTS_COLUMNS), tokenize=FTS_TOKENIZER, create_triggers=False)
    finally:
        db.close()


def foreign_key_problems(path: Path) -> list[tuple]:
    """Rows whose foreign key points nowhere (SQLite's ``foreign_key_check``): empty for a
    database built from validated data."""
    import sqlite3

    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
        return conn.execute("PRAGMA foreign_key_check").fetchall()


# --- Datasette's metadata ----------------------------------------------------------------------


def _text(value: str) -> str:
    """``value`` as a SQL string literal."""
    return "'" + value.replace("'", "''") + "'"


def _wording(column: str) -> str:
    """SQL for ``analysis.wording`` of ``column``: the same claimant written with another
    apostrophe, case or surrounding space compares equal. SQLite's ``lower`` folds ASCII
    letters only and the SQL leaves inner spaces and Unicode forms alone; the same claimant in
    the same article and on the same day (the only comparison made) is written alike, and
    ``tests/test_explore.py`` compares the results with the Python on the real data."""
    expr = column
    for apostrophe in "’‘ʼ`´":
        expr = f"replace({expr}, {_text(apostrophe)}, '''')"
    return f"lower(trim({expr}))"


def _sorted_list(column: str, rows: str, where: str) -> str:
    """SQL for the distinct values of ``column`` among ``rows`` matching ``where``, sorted and
    joined with ', ' (as the report's tables list claim ids, stances and articles)."""
    return (
        f"(select group_concat({column}, ', ') from (\n"
        f"    select distinct {column} from {rows}\n"
        f"    where {where}\n"
        f"    order by {column}))"
    )


def estimates_by_framing_sql() -> str:
    """One row per reported troop figure and framing: how many articles and claims report it,
    which ones, hedged how, attributed to whom.

    The report's comparison of estimates matches claims on (figure, unit, framing), never on
    wording (``analysis.claim_keys``, ``analysis.corroboration``); this is that table for the
    estimates, framings in the contract's order, the most-reported figure first.
    """
    framings = contract.CATEGORIES[ESTIMATE]
    order = "\n    ".join(f"when {_text(v)} then {i}" for i, v in enumerate(framings))
    same = "g.category = e.category and g.figure = e.figure and g.unit = e.unit"
    lists = ",\n  ".join(
        f"{_sorted_list(column, 'estimates g', same)} as {name}"
        for column, name in (
            ("article_id", "articles"),
            ("claim_id", "claim_ids"),
            ("qualifier", "qualifiers"),
            ("claimant_group", "claimant_groups"),
        )
    )
    return f"""with estimates as (
  select * from claims where kind = {_text(ESTIMATE)}
)
select
  e.category as framing,
  e.figure,
  e.unit,
  count(distinct e.article_id) as n_articles,
  count(*) as n_claims,
  {lists}
from estimates e
group by e.category, e.figure, e.unit
order by
  case e.category
    {order}
    else {len(framings)}
  end,
  n_articles desc, e.figure desc, e.unit"""


def first_response_sql(group: str = "South Korea") -> str:
    """Each claimant group's first dated response, days after the reference day: the report's
    first-responses table (``response_dates.first_responses``), computed the same way.

    The reference day is ``:reference_date`` when given, else the earliest dated troop
    estimate of ``group`` (``response_dates.reference_date``). A response is dated when it has
    a day (``derived_date``); the disclosing source's own words in its disclosure (same article,
    day and claimant as a troop figure dated to the day on the first such day) answer nothing,
    so they are never a first response (``response_dates.part_of_disclosure``).
    """
    estimate, response = _text(ESTIMATE), _text(RESPONSE)
    same_group = "g.claimant_group = f.claimant_group"
    return f"""with reference as (
  select coalesce(nullif(:reference_date, ''), (
    select min(derived_date) from claims
    where claimant_group = {_text(group)} and kind = {estimate} and derived_date is not null
  )) as day
),
said as (
  select claim_id, article_id, derived_date, kind, derived_precision,
    {_wording("claimant")} as who
  from claims
),
disclosure as (
  select article_id, derived_date, who from said
  where kind = {estimate} and derived_precision = 'day' and derived_date = (
    select min(derived_date) from said
    where kind = {estimate} and derived_precision = 'day' and derived_date is not null
  )
),
answering as (
  select r.* from claims r join said using (claim_id)
  where r.kind = {response} and r.derived_date is not null and not exists (
    select 1 from disclosure d
    where d.article_id = r.article_id and d.derived_date = r.derived_date
      and d.who = said.who
  )
),
firsts as (
  select a.* from answering a
  where a.derived_date = (
    select min(b.derived_date) from answering b where b.claimant_group = a.claimant_group
  )
)
select
  f.claimant_group,
  f.derived_date as date,
  cast(julianday(f.derived_date) - julianday((select day from reference)) as integer)
    as days_after_reference,
  {_sorted_list("category", "firsts g", same_group)} as stances,
  {_sorted_list("date_basis", "firsts g", same_group)} as date_basis,
  {_sorted_list("claim_id", "firsts g", same_group)} as claim_ids
from firsts f
group by f.claimant_group
order by days_after_reference, f.claimant_group"""


def canned_queries() -> dict[str, dict]:
    """The saved queries, each answering one question of the report. Rows first: the SQL
    (long, as the report's rules are) is one click away ("show")."""
    framings = "; ".join(
        f"{value}: {meaning.rstrip('.')}"
        for value, meaning in contract.CATEGORIES[ESTIMATE].items()
    )
    return {
        "estimates_by_framing": {
            "title": "Troop estimates by framing",
            "description": (
                "Every troop figure the articles report, one row per figure and framing, with "
                "how many articles and claims report it (the report's section 1 matches "
                f"estimates on figure, unit and framing, never on wording). Framings: {framings}."
            ),
            "sql": estimates_by_framing_sql(),
            "hide_sql": True,
        },
        "first_response_per_group": {
            "title": "First dated response of each claimant group",
            "description": (
                "Each claimant group's earliest response dated to a day (all of them when "
                "several fall on that day), in days after the reference: the first dated South "
                "Korean troop figure unless reference_date (YYYY-MM-DD) is given, as in the "
                "report's section 2. The disclosing source's own words in its disclosure are "
                "not a response. Responses with no day (only bounded, or undated) are not here: "
                "the claims table lists them with their bounds (derived_earliest, "
                "derived_latest)."
            ),
            "sql": first_response_sql(),
            "hide_sql": True,
        },
    }


def metadata(fields: Mapping[str, list[dict]], articles: pd.DataFrame) -> dict:
    """Datasette's metadata: title, description, licence, source and citation; per table its
    column descriptions (each controlled value with its definition), facets, sort order and the
    label an article is shown by; the saved queries."""
    from troopclaims.store import datapackage

    cite = datapackage._citation()
    sources = datapackage.sources(articles)
    terms = datapackage.QUOTE_TERMS.strip()
    return {
        "title": cite.get("title", "troopclaims"),
        "description": (
            f"{' '.join(str(cite.get('abstract', '')).split())} Each row is a claim as one "
            f"article reports it, not a fact. Quotes: {terms}"
        ).strip(),
        "license": "CC0 1.0 (data/LICENSE); the quoted words remain the publishers'",
        "license_url": datapackage.DATA_LICENSE["path"],
        "source": f"{len(sources)} news articles, curated by hand (articles table)",
        "about": "data/README.md (the data contract); cite as CITATION.cff says",
        "extra_css_urls": [f"/{STATIC_MOUNT}/{STYLE_FILE.name}"],
        "databases": {
            DATABASE: {
                "description": (
                    "The claims and the articles they come from. Facets on the claims table: "
                    f"{', '.join(FACETS)}. Search the quotes with the search box."
                ),
                "tables": {
                    "claims": {
                        "title": "Claims",
                        "description": (
                            "One row per claim as one article reports it, with its article's "
                            "fields and the dates the evidence gives (derived_*). The table "
                            "page lists what each column holds, and what each controlled value "
                            "means, below the rows."
                        ),
                        "columns": _descriptions(fields["claims"]),
                        "facets": list(FACETS),
                        "sort": PRIMARY_KEYS["claims"],
                    },
                    "articles": {
                        "title": "Articles",
                        "description": "One row per article, with its claim counts by kind. "
                        + " ".join(s["title"] + "." for s in sources),
                        "columns": _descriptions(fields["articles"]),
                        "sort": PRIMARY_KEYS["articles"],
                        "label_column": PRIMARY_KEYS["articles"],
                    },
                },
                "queries": canned_queries(),
            }
        },
    }


def _descriptions(fields: Iterable[dict]) -> dict[str, str]:
    """``column -> description`` (a controlled column's lists every value and its meaning),
    without the dictionary's Markdown backticks: Datasette shows descriptions as plain text."""
    return {f["name"]: f["description"].replace("`", "") for f in fields}


# --- Build and serve ---------------------------------------------------------------------------


def build(
    processed_dir: Path | None = None, raw_dir: Path | None = None, out_dir: Path | None = None
) -> tuple[Path, Path]:
    """Write claims.db and its Datasette metadata into ``out_dir`` (``processed_dir`` unless
    given) from the processed tables; return both paths.

    Reads under the shared data lock on ``raw_dir`` (no process or ingest rewrites the tables
    meanwhile) and only once sources.json says they are current. Both files are written under
    temporary names first and renamed only once both are written: a failed build leaves the
    previous pair.
    """
    from troopclaims.store import process

    processed_dir = Path(processed_dir or config.PROCESSED_DIR)
    raw_dir = Path(raw_dir or config.RAW_DIR)
    out_dir = Path(out_dir or processed_dir)
    with atomic.locked(raw_dir, exclusive=False):
        claims, articles = process.read_processed(processed_dir)
    fields = table_fields(claims, articles)
    meta_path, db_path = out_dir / METADATA_FILE, out_dir / DB_FILE
    text = json.dumps(metadata(fields, articles), indent=2, ensure_ascii=False) + "\n"
    with atomic.atomic_path(meta_path) as tmp_meta, atomic.atomic_path(db_path) as tmp_db:
        tmp_meta.write_text(text, encoding="utf-8")
        write_db(tmp_db, claims, articles, fields)
    return db_path, meta_path


def parse_port(value: str | int | None) -> int:
    """A TCP port from ``--port`` or ``PORT``: 1-65535, or 0 for any free one (Datasette then
    prints the one it took). Anything else is a usage error, before Datasette starts."""
    if value is None or value == "":
        return DEFAULT_PORT
    text = str(value).strip()
    if not (text.isascii() and text.isdigit()) or int(text) > 65535:  # not "¹", nor "٨٠"
        shown = text[:20] + ("…" if len(text) > 20 else "")
        raise PortError(f"PORT must be a TCP port number (0-65535), got {shown!r}")
    return int(text)


def serve_command(db_path: Path, metadata_path: Path, port: int) -> list[str]:
    """The Datasette command serving ``db_path`` on the loopback address only.

    Immutable (-i): the file is never written while served, so Datasette counts rows and
    facets exactly; our stylesheet (``explore.css``, which folds the long column list) is
    mounted beside Datasette's own static files.
    """
    return [
        sys.executable,
        "-m",
        "datasette",
        "serve",
        "-i",
        str(db_path),
        "--metadata",
        str(metadata_path),
        "--host",
        HOST,
        "--port",
        str(port),
        "--static",
        f"{STATIC_MOUNT}:{STYLE_FILE.parent}",
        "--setting",
        "truncate_cells_html",
        str(TRUNCATE_CELLS),
        # The four facets are set; suggesting 30 more (every date and code column) buried them.
        "--setting",
        "suggest_facets",
        "off",
    ]


def serve(port: int, processed_dir: Path | None = None) -> None:
    """Replace this process with Datasette (Ctrl-C then stops Datasette itself, and a caller
    waiting on this process waits on the server). Needs ``build`` to have run."""
    processed_dir = Path(processed_dir or config.PROCESSED_DIR)
    db_path, meta_path = processed_dir / DB_FILE, processed_dir / METADATA_FILE
    for path in (db_path, meta_path):
        if not path.is_file():
            raise TroopclaimsError(
                f"{config.display_path(path)} is missing: run `make explore` (it builds it)"
            )
    url = f"http://{HOST}:{port}/{DATABASE}/claims" if port else "the address below"
    print(f"serving {config.display_path(db_path)} at {url} (Ctrl-C stops)", file=sys.stderr)
    sys.stderr.flush()
    command = serve_command(db_path, meta_path, port)
    os.execv(command[0], command)


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m troopclaims.report.explore [build|serve] [--port N]``: an error is one ``ERROR``
    line and its exit code (1 stale or missing data, 2 a bad port), as the CLI prints them."""
    parser = argparse.ArgumentParser(
        prog="python -m troopclaims.report.explore", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("step", nargs="?", choices=("build", "serve"), help="default: both")
    parser.add_argument("--port", help=f"default: ${PORT_ENV}, else {DEFAULT_PORT}")
    args = parser.parse_args(argv)
    try:
        port = DEFAULT_PORT
        if args.step in (None, "serve"):  # checked before a build; a build alone needs no port
            port = parse_port(args.port if args.port is not None else os.environ.get(PORT_ENV))
        if args.step in (None, "build"):
            db_path, _ = build()
            print(f"wrote {config.display_path(db_path)}", file=sys.stderr)
        if args.step in (None, "serve"):
            serve(port)
    except TroopclaimsError as err:
        for line in str(err).splitlines():
            print(f"ERROR {line}", file=sys.stderr)
        return err.exit_code
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
