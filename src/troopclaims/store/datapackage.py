"""data/processed/ published as a Frictionless Data Package: claims.csv, articles.csv and
their ``datapackage.json``.

Why: the parquet files serve our notebooks; a reuser with R, a spreadsheet or another language
needs plain CSV and a machine-readable description of it (types, the controlled values and what
each means, keys, licences, sources) that a library they already trust can check. So every
build writes the two tables as CSV beside the parquet files, from the same frames, and the
descriptor generated here from the data contract (``contract``: columns, vocabularies with their
definitions, id patterns; ``expectations``: which cells are required; ``data/README.md``: what
each column means), with each CSV's SHA-256 and size. ``process.staged`` writes them under
temporary names and renames them with the rest of the build, before ``sources.json``, which
records their hashes too: a reader can tell a mixed set. Nothing here imports frictionless:
building the descriptor is plain JSON, and checking it is the library's job
(``frictionless validate data/processed/datapackage.json``; ``tests/test_datapackage.py``).

The descriptor follows Data Package v2 (``$schema``), which frictionless 5.21 validates
without fetching anything: ``categories`` keeps each controlled value with its definition as
its label, ``constraints.enum`` holds the values a validator checks.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from troopclaims import atomic, config, contract
from troopclaims.checks import dating

DESCRIPTOR_NAME = "datapackage.json"  # the name the Data Package standard gives it
# The tables as CSV, named as in data/raw/ (a reuser reads the same names in both).
CLAIMS_CSV = config.CLAIMS_FILE
ARTICLES_CSV = config.ARTICLES_FILE
PROFILE = "https://datapackage.org/profiles/2.0/datapackage.json"
DATA_LICENSE = {
    "name": "CC0-1.0",
    "path": "https://creativecommons.org/publicdomain/zero/1.0/",
    "title": "Creative Commons Zero v1.0 Universal (data/LICENSE)",
}
# The repository's own files the descriptor draws on: the code's contract and citation, read
# from beside the package (not from TROOPCLAIMS_ROOT, which moves data, not code).
SOURCE_TREE = config.PACKAGE_DIR.parents[1]
DICTIONARY = SOURCE_TREE / "data" / "README.md"
CITATION = SOURCE_TREE / "CITATION.cff"
# figure_as_of: a month or a day (validation checks that it is a real one).
MONTH_OR_DAY_PATTERN = "[0-9]{4}-[0-9]{2}(-[0-9]{2})?"
QUOTE_TERMS = (
    " The words are the publishers', not covered by CC0: quote them briefly, naming the "
    "article, and do not republish them as a body of text (data/README.md, 'Licences and "
    "reuse')."
)
# The derived columns holding a day (the others are the precision and the reasons, in words).
DERIVED_DATE_COLUMNS = tuple(
    c for c in dating.DERIVED_COLUMNS if not c.endswith(("_precision", "_reason"))
)
# Columns process adds beside the contract's, described here because no contract holds them.
PROCESS_COLUMNS = {
    "has_statement_date": "Whether statement_date is given.",
    "source_error": (
        "Whether the article itself errs in attributing the claim (article_attribution given, "
        "or a note tagged [source_error] in a drop written before contract version 3)."
    ),
}


# --- What the contract says about each column ----------------------------------------------------


def xsd_pattern(pattern: str) -> str:
    """``pattern`` (Python, anchored with \\A and \\Z) as Table Schema writes one: XML Schema
    regular expressions match the whole value, so the anchors go. Why not copy it: a validator
    in another language would read ``\\A`` as a literal or an error."""
    if not (pattern.startswith(r"\A") and pattern.endswith(r"\Z")):
        raise ValueError(f"expected a pattern anchored with \\A and \\Z: {pattern!r}")
    return pattern[2:-2]


def required_columns() -> dict[str, tuple[str, ...]]:
    """The columns validation requires a value in, per table (claims, articles): read from the
    rules themselves, so the package cannot require less or more than validation does.
    ``expectations`` imports Great Expectations, which ``process`` has loaded already."""
    from troopclaims.checks import expectations

    def not_null(rules: Iterable[expectations.Rule]) -> tuple[str, ...]:
        kind = "expect_column_values_to_not_be_null"
        return tuple(r.column for r in rules if r.expectation.expectation_type == kind)

    return {
        "claims": not_null(expectations.claims_rules([], {})),
        "articles": not_null(expectations.articles_rules()),
    }


def column_meanings(path: Path | None = None) -> dict[str, dict[str, str]]:
    """What each column means, per table, as data/README.md's column tables say it (the
    ``## `claims.csv``` section, derived columns included, and ``## `articles.csv```).

    Why parse the dictionary: it is where curators read and write those meanings; a copy here
    would drift. A missing dictionary (a package installed without its source tree) gives no
    meanings, and the vocabularies' definitions still reach the descriptor.
    """
    path = Path(path or DICTIONARY)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {"claims": {}, "articles": {}}
    sections = re.split(r"^## ", text, flags=re.MULTILINE)
    out: dict[str, dict[str, str]] = {}
    for table, csv_name in (("claims", CLAIMS_CSV), ("articles", ARTICLES_CSV)):
        body = next((s for s in sections if s.startswith(f"`{csv_name}`")), "")
        out[table] = _table_rows(body)
    return out


def _table_rows(section: str) -> dict[str, str]:
    """``column -> meaning`` from the markdown table rows of a section whose first cell names
    columns in backticks (``| `event_start`, `event_end` | ISO dates | meaning |``)."""
    meanings: dict[str, str] = {}
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if not line.startswith("|") or len(cells) < 2:
            continue
        names = re.findall(r"`([a-z_]+)`", cells[0])
        if not names or re.sub(r"[`a-z_, ]", "", cells[0]):
            continue
        meaning = cells[-1].replace("**", "")
        for name in names:
            meanings.setdefault(name, meaning)
    return meanings


def sentence(text: str) -> str:
    """The dictionary's meaning cell as a sentence (capital, final stop), so a description can
    go on after it."""
    text = " ".join(text.split())
    if not text:
        return ""
    text = text[0].upper() + text[1:]
    return text if text.endswith((".", "?", "!", ")")) else text + "."


def _with_values(text: str, vocabulary: Mapping[str, str]) -> str:
    """A description followed by each controlled value and its definition, for a reader who
    sees only the description (a v1 tool ignores ``categories``)."""
    listed = "; ".join(f"{value}: {meaning.rstrip('.')}" for value, meaning in vocabulary.items())
    return f"{sentence(text)} Values: {listed}.".strip()


def _vocabulary_field(name: str, vocabulary: Mapping[str, str], meaning: str) -> dict:
    """A controlled column: its values checked (``enum``), each kept with its definition."""
    return {
        "name": name,
        "type": "string",
        "description": _with_values(meaning, vocabulary),
        "categories": [{"value": v, "label": d} for v, d in vocabulary.items()],
        "constraints": {"enum": list(vocabulary)},
    }


def _category_field(meaning: str) -> dict:
    """``category``: one enum of every kind's values; each definition says its kind."""
    per_kind = {
        value: f"({kind}) {definition}"
        for kind, values in contract.CATEGORIES.items()
        for value, definition in values.items()
    }
    field = _vocabulary_field("category", per_kind, meaning)
    field["description"] = _with_values(
        f"{sentence(meaning)} Which values each kind allows is checked by validation.", per_kind
    )
    return field


def contract_field(table: str, name: str, meaning: str) -> dict:
    """The field descriptor of a contract column (or one process derives) in ``table``."""
    vocabularies = (
        contract.CLAIM_VOCABULARIES if table == "claims" else contract.ARTICLE_VOCABULARIES
    )
    dates = contract.CLAIM_DATE_COLUMNS if table == "claims" else contract.ARTICLE_DATE_COLUMNS
    if name == "category" and table == "claims":
        return _category_field(meaning)
    if name in vocabularies:
        return _vocabulary_field(name, vocabularies[name], meaning)
    if name == "derived_precision":
        return _vocabulary_field(name, dating.DERIVED_PRECISIONS, meaning)
    field: dict[str, Any] = {"name": name, "type": "string", "description": sentence(meaning)}
    if name in dates or name in DERIVED_DATE_COLUMNS:
        field.update(type="date", format="default")
    elif name == "figure":
        field.update(type="integer", constraints={"minimum": 1})
    elif name in ("claim_id", "article_id", "anchor_claim_id"):
        field["constraints"] = {"pattern": xsd_pattern(contract.ID_PATTERN)}
    elif name == "figure_as_of":
        field["constraints"] = {"pattern": MONTH_OR_DAY_PATTERN}
    elif name == "url":
        field["format"] = "uri"
    if name == "quote":
        field["description"] += QUOTE_TERMS
    return field


def fields_for(
    table: str,
    columns: Iterable[str],
    meanings: Mapping[str, Mapping[str, str]],
    required: Mapping[str, Iterable[str]],
) -> list[dict]:
    """Every column of a processed table, in its order, described; a column no rule here
    describes is an error, so a new processed column cannot be published undescribed.

    Beside the contract's columns, claims carry their article's fields (``article_<column>``,
    described as the articles table describes ``<column>``) and process's flags; articles
    carry one claim count per kind (``n_<kind>``).
    """
    out = []
    for name in columns:
        own = meanings[table].get(name)
        if name in PROCESS_COLUMNS:
            field = {"name": name, "type": "boolean", "description": PROCESS_COLUMNS[name]}
        elif table == "articles" and name.startswith("n_") and name[2:] in contract.KINDS:
            field = {
                "name": name,
                "type": "integer",
                "description": f"How many claims of kind {name[2:]} the article reports.",
                "constraints": {"minimum": 0, "required": True},
            }
        elif own is not None or name in _known(table):
            field = contract_field(table, name, own or "")
        elif table == "claims" and name.startswith("article_") and name[8:] in _known("articles"):
            base = name[len("article_") :]
            field = contract_field("articles", base, meanings["articles"].get(base, ""))
            field["name"] = name
            field["description"] = f"The claim's article's {base}: {field['description']}"
        else:
            raise ValueError(f"processed {table} column {name!r} has no description")
        if name in required.get(table, ()):
            field.setdefault("constraints", {})["required"] = True
        out.append(field)
    return out


def _known(table: str) -> tuple[str, ...]:
    """The columns the contract (and dating, for claims) define for ``table``."""
    if table == "claims":
        return contract.CLAIM_COLUMNS + dating.DERIVED_COLUMNS
    return contract.ARTICLE_COLUMNS


# --- The CSVs ------------------------------------------------------------------------------------


def csv_frame(frame: pd.DataFrame, fields: list[dict]) -> pd.DataFrame:
    """``frame`` as the text its fields describe: dates ``YYYY-MM-DD``, integers in digits,
    booleans ``true``/``false``, a missing value an empty string. Why convert each column from
    its field's type rather than let pandas choose: the descriptor and the bytes then cannot
    disagree (pandas would write ``True`` and a datetime's time)."""
    out = pd.DataFrame(index=frame.index)
    for field in fields:
        values = frame[field["name"]]
        kind = field["type"]
        if kind == "date":
            text = pd.to_datetime(values).dt.strftime("%Y-%m-%d")
        elif kind == "boolean":
            text = values.astype("boolean").map({True: "true", False: "false"})
        elif kind == "integer":
            text = values.astype("Int64").astype("string")
        else:
            text = values.astype("string")
        out[field["name"]] = text.astype(object).where(values.notna(), "")
    return out


def write_csv(frame: pd.DataFrame, fields: list[dict], path: Path) -> None:
    """``csv_frame`` written to ``path``: UTF-8 without BOM, comma, LF, quoted as RFC 4180 (as
    data/raw/'s CSVs are). Straight to the file, not through one string: a large build would
    hold it twice. ``path`` is a temporary file of ``process.staged`` (or a test's): atomicity
    is the caller's."""
    csv_frame(frame, fields).to_csv(path, index=False, lineterminator="\n", encoding="utf-8")


# --- The descriptor ------------------------------------------------------------------------------


def _citation(path: Path | None = None) -> dict:
    """CITATION.cff (title, abstract, keywords), so the package names the dataset as a
    citation does; empty when the file is absent."""
    import yaml

    try:
        return yaml.safe_load(Path(path or CITATION).read_text(encoding="utf-8")) or {}
    except FileNotFoundError:
        return {}


def sources(articles: pd.DataFrame) -> list[dict]:
    """One source per article the claims come from: its id, headline, outlet and date as
    articles.csv records them, and its URL when known (the captures received carry none)."""
    out = []
    for row in articles.sort_values("article_id").itertuples(index=False):
        title = row.title if isinstance(row.title, str) and row.title else "(no headline)"
        date = pd.Timestamp(row.published_date) if pd.notna(row.published_date) else None
        when = f"published {date:%Y-%m-%d}" if date is not None else "date unknown"
        source = {
            "title": f"{row.article_id}: {title} (outlet {row.outlet}, {when}; text {row.file})"
        }
        if isinstance(row.url, str) and row.url:
            source["path"] = row.url
        out.append(source)
    return out


def resource(
    name: str, path: Path, schema: dict, description: str, common: Mapping[str, Any]
) -> dict:
    """A tabular resource for the CSV written at ``path`` (perhaps a temporary name: its hash
    and size are read from the bytes); the descriptor names the file the build renames it to,
    beside itself."""
    return {
        "name": name,
        "type": "table",
        "path": {"claims": CLAIMS_CSV, "articles": ARTICLES_CSV}[name],
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "dialect": {"header": True, "delimiter": ",", "quoteChar": '"', "doubleQuote": True},
        "hash": f"sha256:{atomic.sha256_file(path)}",
        "bytes": Path(path).stat().st_size,
        "description": description,
        **common,
        "schema": schema,
    }


def descriptor(
    claims: pd.DataFrame,
    articles: pd.DataFrame,
    csv_paths: Mapping[str, Path],
    fields: Mapping[str, list[dict]],
) -> dict:
    """The datapackage.json of a build: both tables' schemas with their keys, and the hash and
    size of the CSVs at ``csv_paths`` (``claims``/``articles`` -> the file written)."""
    cite = _citation()
    common = {"licenses": [DATA_LICENSE], "sources": sources(articles)}
    claims_schema = {
        "fields": fields["claims"],
        "missingValues": [""],
        "primaryKey": ["claim_id"],
        "foreignKeys": [
            {
                "fields": ["article_id"],
                "reference": {"resource": "articles", "fields": ["article_id"]},
            },
            {"fields": ["anchor_claim_id"], "reference": {"fields": ["claim_id"]}},
        ],
    }
    articles_schema = {
        "fields": fields["articles"],
        "missingValues": [""],
        "primaryKey": ["article_id"],
    }
    return {
        "$schema": PROFILE,
        "name": "troopclaims",
        "title": cite.get("title", "troopclaims"),
        "description": (
            f"{' '.join(str(cite.get('abstract', '')).split())} The curated data is CC0 1.0; "
            "the article texts and the words quoted from them are the publishers' "
            "(data/README.md, 'Licences and reuse'). Validated before it was written: "
            "validation.json beside this file is its verdict."
        ).strip(),
        "keywords": list(cite.get("keywords", [])),
        "troopclaims:contractVersion": contract.CONTRACT_VERSION,
        **common,
        "resources": [
            resource(
                "claims",
                csv_paths["claims"],
                claims_schema,
                f"One row per claim as one article reports it ({len(claims)} claims), with its "
                "article's fields and the dates the evidence gives (derived_*).",
                common,
            ),
            resource(
                "articles",
                csv_paths["articles"],
                articles_schema,
                f"One row per article ({len(articles)} articles), with its claim counts by kind.",
                common,
            ),
        ],
    }


def write_package(claims: pd.DataFrame, articles: pd.DataFrame, paths: Mapping[str, Path]) -> None:
    """Write claims.csv, articles.csv and datapackage.json to ``paths`` (``claims``,
    ``articles``, ``descriptor`` -> file; ``process.staged``'s temporary files, renamed by it).

    ``claims`` and ``articles`` are the processed tables (``process.build_claims_table``,
    ``build_articles_table``), exactly what the parquet files hold.
    """
    meanings, required = column_meanings(), required_columns()
    fields = {
        "claims": fields_for("claims", claims.columns, meanings, required),
        "articles": fields_for("articles", articles.columns, meanings, required),
    }
    write_csv(claims, fields["claims"], paths["claims"])
    write_csv(articles, fields["articles"], paths["articles"])
    doc = descriptor(claims, articles, paths, fields)
    text = json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
    Path(paths["descriptor"]).write_text(text, encoding="utf-8")
