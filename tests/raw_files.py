"""Raw CSVs read one file at a time, straight from disk, as strings or typed: for tests that
check how a file is read, or need a frame of the real data, without a run. The product reads
only through the intake's line (``load.read_tables``: snapshot, decode, parse) and types only
validated frames (``process.type_claims``), so these live with the tests."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from pathlib import Path

import pandas as pd

from troopclaims import config, contract
from troopclaims.intake import load, snapshot
from troopclaims.intake.csvformat import ArticleLanguages, languages_for, sniff
from troopclaims.problems import DataError
from troopclaims.store.process import type_articles, type_claims


def read_raw_csv(
    path: Path,
    expected: tuple[str, ...],
    check_columns: bool = True,
    languages: Collection[str] | None = None,
    article_languages: Mapping[str, str] | None = None,
    data: bytes | None = None,
    allow_empty: bool = False,
) -> pd.DataFrame:
    """Read one contract CSV on its own as strings, with a ``_line`` column; raise
    ``DataError`` if unreadable. ``path`` is read as a drop's files are (``snapshot.read_file``:
    no link followed, within the size limit) unless its bytes are given (``data``), decoded as
    ``csvformat.sniff`` detects it, and parsed as a run's files are (``_parse_csv``; a header
    without data rows is an error unless ``allow_empty``).

    Empty cells are empty strings (never NaN) so validation sees exactly what was typed.
    ``check_columns=False`` returns the file's own columns even when they differ from
    ``expected`` (validation then judges the column set with its GX rule); a delimiter that
    cannot be told or a repeated column name is still fatal, since no frame can be built then.

    ``attrs["read_as"]`` says how the file was read (``csvformat.Dialect.describe``) and
    ``attrs["read_warnings"]`` holds the warnings (as ``Problem.to_dict``) that say what was
    detected, if anything was, and that empty trailing columns were dropped
    (``_without_ghosts``). A file that is not UTF-8 may be in an encoding suggested by the
    ``languages`` given, or else by its articles' languages: an articles file's own
    ``language`` column; for a claims file, those of the articles it cites, looked up in
    ``article_languages`` (article_id -> language; by default the articles.csv beside the file
    and the dataset's).
    """
    path = Path(path)
    name = config.display_path(path)
    raw = snapshot.read_file(path) if data is None else data
    known = article_languages
    if known is None:
        known = ArticleLanguages(_articles_beside(path))
    data, dialect, warning = sniff(name, raw, expected, languages_for(expected, languages, known))
    del raw  # a large file is held once, not twice
    frame, said = load._parse_csv(name, data, dialect, expected, check_columns, allow_empty)
    frame.attrs["read_as"] = dialect.describe()
    # as dicts: attrs stay JSON-able (pandas writes them into a parquet file's metadata)
    frame.attrs["read_warnings"] = [p.to_dict() for p in [warning, *said] if p is not None]
    return frame


def _articles_beside(path: Path) -> list[bytes]:
    """The bytes of the articles.csv beside ``path`` and of the dataset's, each read as a drop's
    files are (``snapshot.read_file``); those that cannot be read are left out. For a file read
    on its own (``read_raw_csv``): a run's files take their articles from its snapshots."""
    paths = [path.parent / config.ARTICLES_FILE]
    paths += [s.articles_csv for s in snapshot.dataset_sources() if s.articles_csv]
    found = []
    for articles_csv in paths:
        try:
            found.append(snapshot.read_file(articles_csv))
        except DataError:
            continue
    return found


def read_raw_claims(path: Path | None = None) -> pd.DataFrame:
    """The claims CSV (data/raw/'s unless given) as strings (see ``read_raw_csv``)."""
    return read_raw_csv(path or config.RAW_CLAIMS_CSV, contract.CLAIM_COLUMNS)


def read_raw_articles(path: Path | None = None) -> pd.DataFrame:
    """The articles CSV (data/raw/'s unless given) as strings (see ``read_raw_csv``)."""
    return read_raw_csv(path or config.RAW_ARTICLES_CSV, contract.ARTICLE_COLUMNS)


def load_claims(path: Path | None = None) -> pd.DataFrame:
    """Typed claims straight from a CSV (data/raw/'s unless given; for notebooks and tests: the
    build validates first)."""
    return type_claims(read_raw_claims(path))


def load_articles(path: Path | None = None) -> pd.DataFrame:
    """Typed articles straight from a CSV (data/raw/'s unless given)."""
    return type_articles(read_raw_articles(path))


def read_sources(
    sources: list[snapshot.Source], check_columns: bool = True
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The claims and articles of ``sources`` as strings (``load.read_tables``), for a test that
    does not validate them; ``SourcesError`` with every file's problems when one cannot be read
    (``check_columns``: also when a file's columns are not the contract's)."""
    tables = load.read_tables(sources, check_columns)
    if tables.error is not None:
        raise tables.error
    return tables.claims, tables.articles
