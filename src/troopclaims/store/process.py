"""Build ``data/processed/``: validated, typed, analysis-ready claims and articles.

Processed data is derived entirely from ``data/raw/`` and may be deleted at any time. It is
only written from data that passed validation, and the validation verdict is written beside it
(``validation.json``), so the report always shows the verdict of exactly the data it analyses.
Every file is written to a temporary name first and all are renamed only once all are written:
a failed build leaves the previous set. The renames are consecutive, not one atomic step, so
``sources.json`` (``manifest``) goes last: it records the hashes of the raw files the build read
and of the files written with it, and ``read_processed`` trusts nothing that does not match it
(a crash between renames, a drop rolled back since) and says to run ``troopclaims process``.

``validate_and_build`` (``troopclaims process``) holds the data lock exclusively, and first
removes what interrupted runs left (temporary files, a rolled-back drop's trash).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from troopclaims import atomic, config, contract
from troopclaims.checks import dating, validate
from troopclaims.checks.verdict import ValidationReport
from troopclaims.intake import snapshot
from troopclaims.store import datapackage, manifest

# ``language`` travels with each claim: the report marks every quote with its article's language
# (``lang``), so a screen reader reads French as French, Korean as Korean.
ARTICLE_FIELDS = (
    "file",
    "title",
    "outlet",
    "published_date",
    "date_precision",
    "date_basis",
    "language",
)


def build_claims_table(claims: pd.DataFrame, articles: pd.DataFrame) -> pd.DataFrame:
    """Typed claims with their article's fields (prefixed ``article_``), the dates the evidence
    gives (``dating.DERIVED_COLUMNS``) and derived flags.

    ``has_statement_date`` and ``source_error`` save every notebook from re-deriving them; a
    source error is an ``article_attribution`` recorded, or (drops written before that column)
    a note tagged ``[source_error]``.
    """
    art = articles.set_index("article_id")[list(ARTICLE_FIELDS)]
    art = art.add_prefix("article_")
    out = dating.with_derived(claims, articles)
    out = out.join(art, on="article_id", how="left", validate="many_to_one")
    out["has_statement_date"] = out["statement_date"].notna()
    out["source_error"] = out["article_attribution"].fillna("").ne("") | out["note"].fillna(
        ""
    ).str.startswith(contract.SOURCE_ERROR_TAG)
    return out.sort_values("claim_id", kind="stable").reset_index(drop=True)


def build_articles_table(claims: pd.DataFrame, articles: pd.DataFrame) -> pd.DataFrame:
    """Typed articles with per-article claim counts by kind (zero when an article has none)."""
    counts = (
        claims.groupby(["article_id", "kind"], observed=False).size().unstack("kind", fill_value=0)
    )
    counts = counts.reindex(columns=list(contract.KINDS), fill_value=0).add_prefix("n_")
    out = articles.join(counts, on="article_id").fillna({f"n_{k}": 0 for k in contract.KINDS})
    for kind in contract.KINDS:
        out[f"n_{kind}"] = out[f"n_{kind}"].astype("int64")
    return out.sort_values("article_id", kind="stable").reset_index(drop=True)


@dataclass
class Commit:
    """How far ``staged`` got: ``started`` once its renames began (the files are then mixed
    until it ends, which ``manifest`` detects)."""

    started: bool = False


@contextlib.contextmanager
def staged(
    claims: pd.DataFrame,
    articles: pd.DataFrame,
    out_dir: Path | None = None,
    validation: ValidationReport | None = None,
    raw: manifest.RawRecord | None = None,
) -> Iterator[Commit]:
    """Write every processed file under a temporary name, yield, then rename them into place.

    Nothing is renamed when the body raises (ingest copies its drop in there, and rolls back).
    The tables are also published as CSV with their ``datapackage.json`` (``datapackage``),
    from the same frames. The renames run the others first (claims, validation, the CSVs and
    their descriptor), then articles, then sources.json: the manifest last, written with
    the hashes of the others, so a kill between two renames leaves a set it rejects. The crash
    tests' kill point ``processed-renames`` sits between the parquet files.
    """
    out_dir = Path(out_dir or config.PROCESSED_DIR)
    published = (datapackage.CLAIMS_CSV, datapackage.ARTICLES_CSV, datapackage.DESCRIPTOR_NAME)
    paths = {
        name: out_dir / name
        for name in (config.PROCESSED_CLAIMS.name, config.PROCESSED_ARTICLES.name, *published)
    }
    if validation is not None:
        paths[config.PROCESSED_VALIDATION.name] = out_dir / config.PROCESSED_VALIDATION.name
    commit = Commit()

    def started(exc_type, exc, tb) -> bool:
        commit.started = exc_type is None
        return False

    with contextlib.ExitStack() as stack:  # exits run in reverse: the first entered, last
        tmp_sources = stack.enter_context(atomic.atomic_path(out_dir / manifest.SOURCES_NAME))
        tmp = {
            config.PROCESSED_ARTICLES.name: stack.enter_context(
                atomic.atomic_path(paths[config.PROCESSED_ARTICLES.name])
            )
        }
        stack.push(atomic.kill_point_on_success("processed-renames"))
        for name in paths:
            if name not in tmp:
                tmp[name] = stack.enter_context(atomic.atomic_path(paths[name]))
        stack.push(started)
        claims_table = build_claims_table(claims, articles)
        articles_table = build_articles_table(claims, articles)
        claims_table.to_parquet(tmp[config.PROCESSED_CLAIMS.name], index=False)
        articles_table.to_parquet(tmp[config.PROCESSED_ARTICLES.name], index=False)
        datapackage.write_package(
            claims_table,
            articles_table,
            {
                "claims": tmp[datapackage.CLAIMS_CSV],
                "articles": tmp[datapackage.ARTICLES_CSV],
                "descriptor": tmp[datapackage.DESCRIPTOR_NAME],
            },
        )
        if validation is not None:
            tmp[config.PROCESSED_VALIDATION.name].write_text(validation.to_json(), encoding="utf-8")
        tmp_sources.write_text(manifest.record(out_dir, tmp, raw), encoding="utf-8")
        yield commit


def read_processed(out_dir: Path | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The processed (claims, articles) pair (``config.PROCESSED_DIR`` unless given), as notebooks
    load it, once it is known to match the raw data it was built from
    (``manifest.StaleProcessedError`` says what to run if not)."""
    out_dir = Path(out_dir or config.PROCESSED_DIR)
    manifest.require_current(out_dir)
    return (
        pd.read_parquet(Path(out_dir) / config.PROCESSED_CLAIMS.name),
        pd.read_parquet(Path(out_dir) / config.PROCESSED_ARTICLES.name),
    )


# --- Typing: validated strings to the types analysis reads ------------------------------------


def _categorical(values: pd.Series, vocabulary: dict[str, str]) -> pd.Series:
    """A categorical whose categories are the whole vocabulary, so charts keep a fixed order."""
    return pd.Categorical(values.replace("", pd.NA), categories=list(vocabulary))


def type_claims(raw: pd.DataFrame) -> pd.DataFrame:
    """Typed claims: dates as datetimes, figure as nullable Int64, vocabularies as categoricals.

    Expects a frame that passed validation; a value that does not convert raises, because
    typing unvalidated data would silently turn mistakes into missing values.
    """
    df = raw[list(contract.CLAIM_COLUMNS)].copy()
    for col, vocab in contract.CLAIM_VOCABULARIES.items():
        df[col] = _categorical(df[col], vocab)
    df["category"] = pd.Categorical(df["category"], categories=contract.all_categories())
    df["figure"] = pd.array(pd.to_numeric(df["figure"].replace("", pd.NA)), dtype="Int64")
    for col in contract.CLAIM_DATE_COLUMNS:
        df[col] = dating.parse_dates(df[col])
    text = (
        "claim_id",
        "article_id",
        "claimant",
        "figure_as_of",
        "quote",
        "note",
        "anchor_claim_id",
        "article_attribution",
    )
    for col in text:
        df[col] = df[col].astype("string")
    return df


def type_articles(raw: pd.DataFrame) -> pd.DataFrame:
    """Typed articles (see ``type_claims``)."""
    df = raw[list(contract.ARTICLE_COLUMNS)].copy()
    for col, vocab in contract.ARTICLE_VOCABULARIES.items():
        df[col] = _categorical(df[col], vocab)
    for col in contract.ARTICLE_DATE_COLUMNS:
        df[col] = dating.parse_dates(df[col])
    for col in ("article_id", "file", "title", "outlet", "url", "note"):
        df[col] = df[col].astype("string")
    return df


def known_hashes(sources: list[snapshot.Source], moved: dict[Path, Path] | None = None) -> dict:
    """``path -> SHA-256`` of every file the sources' snapshots read whole (what validation
    judged); ``moved`` maps a folder to where those files are about to be (a drop's target)."""
    known: dict[Path, str] = {}
    for source in sources:
        if source.files is None:
            continue
        folder = (moved or {}).get(source.files.folder, source.files.folder)
        for rel, entry in source.files.entries.items():
            if entry.data is not None:
                known[folder / rel] = entry.sha256
    return known


def recover(raw_dir: Path, out_dir: Path) -> list[Path]:
    """Remove what interrupted runs left in data/raw/drops/ and data/processed/ (temporary
    files, a rolled-back drop's trash). Only under the exclusive data lock."""
    return [
        *atomic.remove_leftovers(Path(raw_dir) / config.DROPS_FOLDER, everyone=True),
        *atomic.remove_leftovers(Path(out_dir), everyone=True),
    ]


def validate_and_build(
    raw_dir: Path | None = None, out_dir: Path | None = None
) -> ValidationReport:
    """Validate the whole dataset under ``raw_dir``; if it passes, rewrite data/processed/.

    Returns the validation report either way; nothing is written when it has an error. Holds
    the data lock exclusively (an ingest cannot add a drop halfway through), and clears the
    leftovers of interrupted runs first. Interrupted (Ctrl-C) while renaming, it marks
    processed data out of date and says so (``atomic.Interrupted``).
    """
    raw_dir = Path(raw_dir or config.RAW_DIR)
    out_dir = Path(out_dir or config.PROCESSED_DIR)
    with atomic.locked(raw_dir, exclusive=True):
        recover(raw_dir, out_dir)
        sources = [snapshot.read_source(s) for s in snapshot.dataset_sources(raw_dir)]
        report, raw_claims, raw_articles = validate.read_and_validate(sources)
        if not report.ok:
            return report
        claims, articles = type_claims(raw_claims), type_articles(raw_articles)
        raw = manifest.RawRecord(raw_dir, known_hashes(sources))
        commit = Commit()
        try:
            with staged(claims, articles, out_dir, report, raw) as commit:
                pass
        except KeyboardInterrupt:
            raise atomic.Interrupted(_interrupted(commit, out_dir)) from None
    return report


def _interrupted(commit: Commit, out_dir: Path) -> str:
    """What a Ctrl-C during the write left: nothing changed, or a set marked out of date."""
    shown = config.display_path(out_dir)
    if not commit.started:
        return f"before its new files were renamed in: {shown}/ is unchanged"
    with atomic.no_interrupt():
        manifest.invalidate(out_dir)
    return (
        f"while {shown}/ was being replaced: it is now marked out of date (its sources.json "
        f"removed), and nothing reads it until it is rebuilt: {manifest.RUN_PROCESS}"
    )
