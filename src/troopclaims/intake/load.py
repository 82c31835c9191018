"""Read the raw CSVs: first as exact strings (for validation), then as typed frames (for analysis).

Validation must see what the curator typed ("3.000", "21/10/2024"), so the first read keeps every
cell as a string and checks only the CSV's shape: header, field counts, cell sizes. How the bytes
were saved (encoding, byte-order mark, line endings, delimiter) is ``csvformat``'s to tell; this
module reads the records as ``csvformat.sniff`` says, and knows the dataset's sources (the base
and its drops), whose articles suggest the encodings a file that is not UTF-8 may be in.
Typing happens after validation, when every value is known to convert cleanly.

Every byte comes from a ``snapshot``: a source's files are read once, safely (no link followed,
regular files within their size limits), and the frames, the article texts validation checks and
the files ingest writes are all made from those same bytes.
"""

from __future__ import annotations

import csv
import io
import os
import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from troopclaims import config, contract
from troopclaims.intake import snapshot
from troopclaims.intake.csvformat import (
    ENCODING_NAMES,
    MAX_FIELD_CHARS,
    ArticleLanguages,
    LanguagesOf,
    around,
    line_of,
    peek_columns,
    sniff,
)
from troopclaims.problems import FIX_LIST_CAP, BoundedProblems, DataError, Problem, RuleKey

# Files up to this size go through Python's strict csv reader, which rejects every malformed
# quote; only larger ones take Arrow's faster, more lenient parser (guarded by _has_lone_quote).
CAREFUL_READ_MAX_BYTES = 20_000_000
_FATAL_HEADER_RULES = ("column name appears twice",)
UNKNOWN_COLUMN = "unknown column: not in the data contract (see data/README.md)"
MISSING_COLUMN = "required column is missing from the header"
_NOT_BLANK = re.compile(rb"[^ \t\n\r\x0b\x0c]")  # a byte bytes.strip() would keep
LINE_COLUMN = "_line"  # CSV line number of each record, kept beside the data for messages
# Each articles row's text as the snapshot read it (``snapshot.Entry``), None when absent.
ARTICLE_TEXT_COLUMN = "_text"


def _languages_of(
    path: Path,
    expected: tuple[str, ...],
    languages: Collection[str] | None,
    article_languages: Mapping[str, str] | None,
) -> LanguagesOf:
    """Where a file's candidate languages come from: ``languages`` when given; else an articles
    file's own ``language`` column, or the languages of the articles a claims file cites (its
    own drop's and the dataset's; ``article_languages`` when given). Here, not in ``csvformat``,
    because the default needs the dataset's sources."""

    def languages_of(data: bytes, delimiter: str) -> Collection[str]:
        if languages is not None:
            return set(languages)
        if "language" in expected:
            return {lang for (lang,) in peek_columns(data, delimiter, ("language",))}
        if "article_id" not in expected:
            return set()
        known = article_languages
        if known is None:  # a direct call: the articles.csv beside the file, and the dataset's
            known = ArticleLanguages(_articles_beside(path))
        cited = {i for (i,) in peek_columns(data, delimiter, ("article_id",))}
        return {known[i] for i in cited if i in known}

    return languages_of


def _articles_beside(path: Path) -> list[bytes]:
    """The bytes of the articles.csv beside ``path`` and of the dataset's, each read as a drop's
    files are (``snapshot.read_file``); those that cannot be read are left out."""
    paths = [path.parent / config.ARTICLES_FILE]
    paths += [s.articles_csv for s in dataset_sources() if s.articles_csv]
    found = []
    for articles_csv in paths:
        try:
            found.append(snapshot.read_file(articles_csv))
        except DataError:
            continue
    return found


def _check_header(name: str, header: list[str], expected: tuple[str, ...]) -> list[Problem]:
    """Compare the header with the contract: missing, unknown and repeated column names."""
    problems: list[Problem] = []
    seen: set[str] = set()
    for col in header:
        if col in seen:
            problems.append(
                Problem(name, "column name appears twice in the header", line=1, column=col)
            )
        seen.add(col)
    for col in header:
        if col not in expected:
            problems.append(
                Problem(
                    name,
                    UNKNOWN_COLUMN,
                    line=1,
                    column=col,
                )
            )
    for col in contract.required_columns(expected):
        if col not in seen:
            problems.append(Problem(name, MISSING_COLUMN, line=1, column=col))
    return problems


FIELD_COUNT_RULE = "row has a different number of fields than the header"
HEADER_SPANS_RULE = (
    "the header opens a quote it does not close on its line: it runs on to line {last}, and "
    "the rows on those lines would be read as part of it"
)


def _csv_error_rule(exc: csv.Error) -> str:
    """The csv module's error in the words of a rule: an overlong field is most often a quote
    left open, so it says so."""
    if "field limit" in str(exc):
        return f"a field is longer than {MAX_FIELD_CHARS} characters (a missing closing quote?)"
    return f"malformed CSV ({exc})"


def _records(
    name: str, lines_in: Iterable[str], header: list[str], delimiter: str = ","
) -> tuple[list[list[str]], list[int], BoundedProblems]:
    """Parse rows with the csv module, noting each record's first line (fields may span lines).

    ``lines_in`` is read as a stream (a decoding file object), and problems are kept at most
    ``MESSAGE_LIMIT`` per rule: a million malformed rows cost neither a second copy of the text
    nor a million problems.
    """
    csv.field_size_limit(MAX_FIELD_CHARS)
    reader = csv.reader(lines_in, delimiter=delimiter, strict=True)
    rows: list[list[str]] = []
    lines: list[int] = []
    problems = BoundedProblems()
    try:
        next(reader)
    except csv.Error as exc:  # the header itself is malformed (a stray quote in line 1)
        problems.add(Problem(name, _csv_error_rule(exc), line=1))
        return rows, lines, problems
    if reader.line_num != 1:  # a quote the header opened took the next lines (and their rows)
        problems.add(Problem(name, HEADER_SPANS_RULE.format(last=reader.line_num), line=1))
        return rows, lines, problems
    start = reader.line_num + 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            problems.add(Problem(name, _csv_error_rule(exc), line=start))
            return rows, lines, problems
        if row == header:
            problems.add(Problem(name, "the header line is repeated as a data row", line=start))
        elif not row or row == [""]:
            problems.add(Problem(name, "blank line in the middle of the data", line=start))
        elif len(row) != len(header):
            problems.add(
                Problem(
                    name,
                    f"row has {len(row)} fields, the header has "
                    f"{len(header)} (a stray delimiter or quote?)",
                    line=start,
                    counted_as=FIELD_COUNT_RULE,
                )
            )
        else:
            rows.append(row)
            lines.append(start)
        start = reader.line_num + 1
    return rows, lines, problems


def read_raw_csv(
    path: Path,
    expected: tuple[str, ...],
    check_columns: bool = True,
    languages: Collection[str] | None = None,
    article_languages: Mapping[str, str] | None = None,
    data: bytes | None = None,
    allow_empty: bool = False,
) -> pd.DataFrame:
    """Read a contract CSV as strings, with a ``_line`` column; raise ``DataError`` if unreadable.

    ``data`` is the file's bytes when a snapshot already holds them; otherwise ``path`` is read
    as a drop's files are (``snapshot.read_file``: no link followed, within the size limit).

    Empty cells are empty strings (never NaN) so validation sees exactly what was typed.
    ``check_columns=False`` returns the file's own columns even when they differ from
    ``expected`` (validation then judges the column set with its GX rule); a delimiter that
    cannot be told or a repeated column name is still fatal, since no frame can be built then.

    The file is read as ``csvformat.sniff`` detects it; ``attrs["read_as"]`` says how
    (``csvformat.Dialect.describe``) and ``attrs["read_warnings"]`` holds the warning (as
    ``Problem.to_dict``) that says what was detected, if anything was, and the one that says
    empty trailing columns were dropped (``_without_ghosts``). A file that is not UTF-8
    may be in an encoding suggested by the ``languages`` given, or else by its articles'
    languages: an articles file's own ``language`` column; for a claims file, those of the
    articles it cites, looked up in ``article_languages`` (article_id -> language; by default
    the articles.csv beside the file and the dataset's). A header without data rows is an
    error, unless ``allow_empty`` (a file whose rows are all optional: unclaimed.csv).
    """
    path = Path(path)
    name = config.display_path(path)
    raw = snapshot.read_file(path) if data is None else data
    languages_of = _languages_of(path, expected, languages, article_languages)
    data, dialect, warning = sniff(name, raw, expected, languages_of)
    del raw  # a large file is held once, not twice
    end = data.index(b"\n")  # sniff's data ends with one; partition()'s tail would copy it all
    first_line = data[:end]
    cells = next(csv.reader([first_line.decode(dialect.encoding)], delimiter=dialect.delimiter), [])
    header, ghosts = _ghost_columns(cells)
    problems = _check_header(name, header, expected)
    if not check_columns:
        problems = [p for p in problems if p.rule.startswith(_FATAL_HEADER_RULES)]
    if problems:
        raise DataError(problems)
    frame = None
    if _NOT_BLANK.search(data, end + 1) is None:  # what follows the header is blank
        if not allow_empty:
            raise DataError([Problem(name, NO_ROWS_RULE, line=2)])
        frame = pd.DataFrame(columns=cells, dtype="str")
        frame[LINE_COLUMN] = pd.Series(dtype="int64")
    elif len(data) > CAREFUL_READ_MAX_BYTES:
        frame = _fast_read(data, cells, dialect.delimiter, dialect.encoding)
    if frame is None:  # read with the header as written: a repeated header line is one
        frame = _careful_read(path, data, cells, dialect.delimiter, dialect.encoding)
    frame.columns = [*header, *ghosts, LINE_COLUMN]  # the unnamed ones, by position
    frame, ghost_warning = _without_ghosts(name, frame, ghosts, len(header))
    long_cells = _long_cells(name, frame)
    if long_cells:
        raise DataError(long_cells)
    added = [c for c in expected if c in contract.LATER_COLUMNS and c not in header]
    frame = frame.assign(**dict.fromkeys(added, ""))
    columns = list(expected) if check_columns else [*header, *added]
    out = frame[[*columns, LINE_COLUMN]]
    out.attrs["read_as"] = dialect.describe()
    said = [warning] if warning else []
    if ghost_warning is not None:
        said.append(ghost_warning)
    if added and expected == contract.CLAIM_COLUMNS:
        said.append(_older_contract(name, header))
    # as dicts: attrs stay JSON-able (pandas writes them into a parquet file's metadata)
    out.attrs["read_warnings"] = [p.to_dict() for p in said]
    return out


# A spreadsheet saves the empty columns after the last one a user touched: every line, the
# header included, then ends with empty cells. Named after reading under names no header can
# hold (a control character, which the header's own rules refuse), then dropped when no row
# fills them.
_GHOST = "\x00ghost-column-"
GHOST_COLUMNS_RULE = (
    "the header ends with {n} column(s) without a name and no row fills them (a spreadsheet's "
    "empty columns): ignored"
)
GHOST_VALUE_RULE = (
    "a value in a column without a name (the header's cell is empty): name the column or "
    "delete the value"
)


def _ghost_columns(cells: list[str]) -> tuple[list[str], list[str]]:
    """The header without its trailing unnamed cells, and a reading name for each of those."""
    named = len(cells)
    while named and not cells[named - 1].strip():
        named -= 1
    return cells[:named], [f"{_GHOST}{k}" for k in range(len(cells) - named)]


def _without_ghosts(
    name: str, frame: pd.DataFrame, ghosts: list[str], named: int
) -> tuple[pd.DataFrame, Problem | None]:
    """The frame without the unnamed trailing columns, and the warning that says so; a value in
    one of them is refused, located (every such cell, up to the fix list's bound)."""
    if not ghosts:
        return frame, None
    problems = BoundedProblems()
    for k, col in enumerate(ghosts):
        filled = np.flatnonzero((frame[col].astype(str).str.strip() != "").to_numpy())
        shown = filled[:FIX_LIST_CAP]  # listed; the rest only counted (a hostile file's million)
        for line, value in zip(
            frame[LINE_COLUMN].to_numpy()[shown], frame[col].to_numpy()[shown], strict=True
        ):
            problem = Problem(
                name,
                GHOST_VALUE_RULE,
                line=int(line),
                column=f"column {named + k + 1}",
                value=str(value),
            )
            problems.add(problem)
        if len(filled) > len(shown):
            problems.count(problem.rule_key, len(filled) - len(shown))
    if problems:
        raise problems.error()
    rule = GHOST_COLUMNS_RULE.format(n=len(ghosts))
    return frame.drop(columns=ghosts), Problem(name, rule, line=1, severity="warning")


NO_ROWS_RULE = "file has a header but no data rows"
NO_ROWS_TODO = (
    f"{NO_ROWS_RULE}: the articles' troop-figure sentences listed with it are the claims to "
    "write (or to explain in unclaimed.csv)"
)
OLDER_CONTRACT_RULE = "written to an earlier version of the contract"


def _older_contract(name: str, header: list[str]) -> Problem:
    """The one info line for a file from an older template: which version, and which columns
    read as empty (nothing to fix: the file is as valid as it was when it was written)."""
    version = contract.version_of(header)
    absent = [c for c in contract.columns_added_since(version) if c not in header]
    return Problem(
        name,
        f"{OLDER_CONTRACT_RULE} (version {version} of {contract.CONTRACT_VERSION}): "
        f"{', '.join(absent)} read as empty",
        line=1,
        severity="info",
        counted_as=OLDER_CONTRACT_RULE,
    )


def _careful_read(
    path: Path, data: bytes, header: list[str], delimiter: str = ",", encoding: str = "utf-8"
) -> pd.DataFrame:
    """The csv-module path: slower, but locates every problem to its line.

    ``data`` is the normalised data ``sniff`` returns (LF line endings, no BOM)."""
    name = config.display_path(path)
    stream = io.TextIOWrapper(io.BytesIO(data), encoding=encoding, newline="\n")
    try:
        rows, lines, problems = _records(name, stream, header, delimiter)
    except UnicodeDecodeError:  # sniff has checked: only a direct call gets here
        exc = _decode_error(data, encoding)
        raise DataError(
            [
                Problem(
                    name,
                    f"not valid {ENCODING_NAMES.get(encoding, encoding)} "
                    f"(bytes {data[exc.start : exc.start + 2].hex(' ')})",
                    line=line_of(data, exc.start),
                    value=around(data, exc.start),
                )
            ]
        ) from None
    if problems:
        raise problems.error()
    frame = pd.DataFrame(rows, columns=header, dtype="str")
    frame[LINE_COLUMN] = lines
    return frame


def _decode_error(data: bytes, encoding: str) -> UnicodeDecodeError:
    """Where ``data`` stops decoding (a stream's error does not say where in the bytes)."""
    try:
        data.decode(encoding)
    except UnicodeDecodeError as exc:
        return exc
    raise AssertionError("the stream failed to decode bytes that decode")  # pragma: no cover


def _has_lone_quote(data: bytes, delimiter: str = ",") -> bool:
    """A quote RFC 4180 does not explain where it stands: Arrow reads `"30"00` and `""3000` as
    3000 where strict csv refuses them, so such a file goes to the strict reader.

    Every quote toggles between outside and inside a quoted field (a doubled quote toggles
    twice), so before each maximal run of quotes, an even count of quotes so far means outside.
    Outside, a run must open a field (after a delimiter or a line start), and an even run is
    then a whole quoted field (`""`, or one of doubled quotes) that must end it; inside, an odd
    run closes the field and must end it (before a delimiter or a line end), an even run is
    doubled quotes.
    The first run that breaks this is where strict csv would fail, since every quote before it
    was read as RFC 4180 reads it; a file that ends inside a quoted field fails too.
    Vectorised: a regex scan of a 370 MB file took 4 s, this a tenth of a second.
    """
    raw = np.frombuffer(data, dtype=np.uint8)
    at = np.flatnonzero(raw == ord('"'))
    if not at.size:
        return False
    if at.size % 2:
        return True  # a quoted field never closed
    first = np.ones(at.size, dtype=bool)
    first[1:] = at[1:] != at[:-1] + 1  # where each run of adjacent quotes begins
    begins = np.flatnonzero(first)
    starts, ends = at[begins], at[np.append(begins[1:] - 1, at.size - 1)]
    # the file's edges count as line ends (no padded copy of a 300 MB file)
    before = np.where(starts > 0, raw[np.maximum(starts - 1, 0)], ord("\n"))
    after = np.where(ends < len(raw) - 1, raw[np.minimum(ends + 1, len(raw) - 1)], ord("\n"))
    delim = ord(delimiter)
    opens = (before == delim) | (before == ord("\n"))
    closes = (after == delim) | (after == ord("\n"))
    odd = (ends - starts + 1) % 2 == 1
    outside = begins % 2 == 0  # the count of quotes before the run
    lone = (outside & ~opens) | (outside & ~odd & ~closes) | (~outside & odd & ~closes)
    return bool(lone.any())


def _fast_read(
    data: bytes, header: list[str], delimiter: str = ",", encoding: str = "utf-8"
) -> pd.DataFrame | None:
    """Arrow's multi-threaded CSV parser for the common case: one record per line, all regular.

    ``data`` is the normalised data ``sniff`` returns; a legacy encoding is transcoded by Arrow
    as it reads, block by block. Returns None whenever the file needs the careful path
    (multi-line fields, ragged rows, bad bytes, a repeated header), which then locates each
    problem exactly; this path only has to be right when it answers.
    """
    if _has_lone_quote(data, delimiter):
        return None
    read_options = pacsv.ReadOptions(encoding="utf8" if encoding == "utf-8" else encoding)
    try:
        table = pacsv.read_csv(
            io.BytesIO(data),
            read_options=read_options,
            parse_options=pacsv.ParseOptions(delimiter=delimiter, newlines_in_values=True),
            convert_options=pacsv.ConvertOptions(
                column_types={h: pa.string() for h in header},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowException):
        return None
    n_lines = data.count(b"\n") + (0 if data.endswith(b"\n") else 1)
    if table.num_rows != n_lines - 1 or table.column_names != header:
        return None
    frame = table.to_pandas()
    if (frame[header[0]] == header[0]).any():
        return None
    frame[LINE_COLUMN] = range(2, len(frame) + 2)
    return frame


def _long_cells(name: str, frame: pd.DataFrame) -> list[Problem]:
    """Cells over the size limit: a 10 MB 'quote' is an accident, not a claim."""
    problems = []
    for col in frame.columns.drop(LINE_COLUMN):
        lengths = frame[col].str.len()
        for idx in frame.index[lengths > MAX_FIELD_CHARS][:5]:
            problems.append(
                Problem(
                    name,
                    f"cell is longer than {MAX_FIELD_CHARS} characters",
                    line=int(frame.at[idx, LINE_COLUMN]),
                    column=col,
                    value=frame.at[idx, col][:40],
                )
            )
    return problems


def read_raw_claims(path: Path | None = None) -> pd.DataFrame:
    """The claims CSV (data/raw/'s unless given) as strings (see ``read_raw_csv``)."""
    return read_raw_csv(path or config.RAW_CLAIMS_CSV, contract.CLAIM_COLUMNS)


def read_raw_articles(path: Path | None = None) -> pd.DataFrame:
    """The articles CSV (data/raw/'s unless given) as strings (see ``read_raw_csv``)."""
    return read_raw_csv(path or config.RAW_ARTICLES_CSV, contract.ARTICLE_COLUMNS)


@dataclass(frozen=True)
class Source:
    """One contributor's files: the base dataset, or one drop (README.md, "Validating a new data
    drop"; data/README.md for each file's columns).

    ``articles_csv``/``articles_dir`` are None for a drop that brings claims only; ``folder`` is
    None for a lone claims CSV. ``files`` is what ``read_source`` read of them (the snapshot
    every later step uses), None until then; ``follow_folder`` lets data/raw/ itself be reached
    through a link (it is ours; a drop's folder never is).
    """

    name: str
    claims_csv: Path
    articles_csv: Path | None
    articles_dir: Path | None
    folder: Path | None = None
    follow_folder: bool = False
    files: snapshot.Snapshot | None = field(default=None, compare=False, repr=False)

    def has(self, path: Path) -> bool:
        """Whether ``path`` is there to be read (a file that will be refused counts)."""
        if self.files is not None:
            return self.files.entry(path) is not None
        return os.path.lexists(path)

    def read_bytes(self, path: Path) -> bytes:
        """The bytes of one of this source's files: the snapshot's, or a safe read of ``path``."""
        return self.files.data(path) if self.files is not None else snapshot.read_file(path)


def base_source(raw_dir: Path | None = None) -> Source:
    """The hand-curated base dataset under data/raw/ (``config.RAW_DIR`` unless given)."""
    raw_dir = Path(raw_dir or config.RAW_DIR)
    return Source(
        "base",
        raw_dir / config.CLAIMS_FILE,
        raw_dir / config.ARTICLES_FILE,
        raw_dir / config.ARTICLES_FOLDER,
        folder=raw_dir,
        follow_folder=True,
    )


def drop_source(path: Path) -> Source:
    """A drop folder, or a lone claims CSV given as a file (nothing is read yet)."""
    path = Path(path)
    if path.is_dir():
        articles_csv = path / config.ARTICLES_FILE
        has_articles = os.path.lexists(articles_csv)  # a link counts: it is refused, not skipped
        return Source(
            path.name,
            path / config.CLAIMS_FILE,
            articles_csv if has_articles else None,
            path / config.ARTICLES_FOLDER if has_articles else None,
            folder=path,
        )
    return Source(path.stem, path, None, None)


def read_source(source: Source) -> Source:
    """``source`` with its files read, once (``snapshot``); a source already read is returned.

    Whether the source brings articles is then what was found (an articles.csv that is a link
    is found, and refused when read).
    """
    if source.files is not None:
        return source
    if source.folder is None:
        return replace(source, files=snapshot.read_lone_csv(source.claims_csv))
    # data/raw/'s walk leaves drops/ out: each drop there is a source of its own
    skip = (config.DROPS_FOLDER,) if source.follow_folder else ()
    files = snapshot.read_folder(source.folder, follow=source.follow_folder, skip=skip)
    articles_csv = source.folder / config.ARTICLES_FILE
    found = files.entry(articles_csv) is not None
    return replace(
        source,
        articles_csv=articles_csv if found else None,
        articles_dir=source.folder / config.ARTICLES_FOLDER if found else None,
        files=files,
    )


def read_candidate(
    path: Path, raw_dir: Path | None = None, allow_csv: bool = True
) -> tuple[list[Source], Source]:
    """The dataset under ``raw_dir`` and the candidate drop ``path``, each read once.

    The one check of a candidate that ``validate`` and ``ingest`` both make, so a drop that
    validates is not then refused by ingest: ``DataError`` when its path or name is refused
    (``snapshot.check_drop``: a link, a special file, a bad name, a name already ingested;
    ``allow_csv`` lets a lone claims CSV through, for validate), or when its claims.csv has the
    bytes of an ingested drop's (``snapshot.already_ingested``).
    """
    path = Path(path)
    raw_dir = Path(raw_dir or config.RAW_DIR)
    problems = snapshot.check_drop(path, raw_dir, allow_csv)
    if problems:
        raise DataError(problems)
    dataset = [read_source(s) for s in dataset_sources(raw_dir)]
    candidate = read_source(drop_source(path))
    ingested = [
        (s.name, entry)
        for s in dataset[1:]  # the base is not a drop
        if (entry := s.files.entry(s.claims_csv)) is not None
    ]
    claims = candidate.files.entry(candidate.claims_csv)
    problems = snapshot.already_ingested(candidate.folder or path, claims, ingested)
    if problems:
        raise DataError(problems)
    return dataset, candidate


def refused_files(sources: list[Source]) -> list[Problem]:
    """Everything the sources' snapshots refused besides their CSVs (reported as each is read):
    article texts, the articles/ folder, and any link, FIFO, device or socket anywhere in a
    source's folder (``snapshot.Snapshot.refusals``)."""
    return [p for s in sources if s.files is not None for p in s.files.refusals()]


def left_behind(sources: list[Source]) -> list[Problem]:
    """A warning per file of a drop that is not part of the contract (ingest will not copy it).
    data/raw/ itself is ours, not a drop: what else it holds is not warned about."""
    return [
        p
        for s in sources
        if s.files is not None and not s.follow_folder
        for p in s.files.left_behind()
    ]


def dataset_sources(raw_dir: Path | None = None) -> list[Source]:
    """The whole dataset: the base, then every ingested drop in name order.

    Hidden entries of data/raw/drops/ (an ingest's temporary or trash folder) are not data.
    Paths are read from ``config`` at call time, so tests can point a run at a scratch copy.
    """
    raw_dir = Path(raw_dir or config.RAW_DIR)
    drops_dir = raw_dir / config.DROPS_FOLDER
    drops = (
        sorted(p for p in drops_dir.iterdir() if p.is_dir() and not p.name.startswith("."))
        if drops_dir.is_dir()
        else []
    )
    return [base_source(raw_dir), *(drop_source(p) for p in drops)]


SOURCE_FILE_COLUMN = "_source_file"
_ADDED = (LINE_COLUMN, SOURCE_FILE_COLUMN)  # what reading adds to a file's own columns
ARTICLES_DIR_COLUMN = "_articles_dir"


class SourcesError(DataError):
    """``read_sources`` could not read every file: the problems (with the warnings of the files
    it could read) and how each of those was read."""

    def __init__(
        self,
        problems: list[Problem],
        read_as: dict[str, str],
        unlisted: dict[RuleKey, int] | None = None,
    ):
        super().__init__(problems, unlisted)
        self.read_as = read_as


def read_sources(
    sources: list[Source], check_columns: bool = True, languages: Collection[str] | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Concatenate every source's CSVs as strings, remembering each row's file and line.

    Each source is read once (``read_source``) unless it already was. Reads every file before
    failing (``SourcesError``), so one run reports the problems of all of them. With
    ``check_columns=False`` a file whose columns differ from the contract is not an error
    here: each frame's ``attrs["headers"]`` maps every file to its own header, for
    validation's column-set rule, and the rows of such a file join the concatenation in the
    contract's columns (a missing column empty, an unknown one left out), so that the row rules
    of the columns it does have still run.
    Both frames' ``attrs["read_as"]`` map every file to how it was read, and
    ``attrs["read_warnings"]`` hold what reading it detected (see ``read_raw_csv``). A claims file
    that is not UTF-8 takes its encoding candidates from the articles it cites among all the
    sources' articles (``languages``, when given, replaces that for every file). The articles
    frame's ``ARTICLE_TEXT_COLUMN`` holds each row's text as the snapshot read it.
    """
    sources = [read_source(s) for s in sources]
    claims, articles, warnings, no_rows = [], [], [], []
    # Each file's problems are bounded already (``_records``); the verdict bounds the run's
    # fix list, in file and line order: here they are only collected, with their counts.
    problems = BoundedProblems(limit=None)
    headers: dict[str, dict[str, list[str]]] = {"claims": {}, "articles": {}}
    read_as: dict[str, str] = {}
    known = article_languages(sources)
    for source, table, path, expected, out in (
        *((s, "claims", s.claims_csv, contract.CLAIM_COLUMNS, claims) for s in sources),
        *(
            (s, "articles", s.articles_csv, contract.ARTICLE_COLUMNS, articles)
            for s in sources
            if s.articles_csv is not None
        ),
    ):
        # Validation reads a claims file without rows too: its drop's troop sentences are then
        # the curator's to-do list, listed beside the one error that it has no claims yet.
        todo = table == "claims" and not check_columns
        try:
            frame, name, header = _read_file(
                source, path, expected, read_as, warnings, check_columns, languages, known, todo
            )
        except DataError as err:
            for p in err.problems:
                problems.add(p)
            for key, n in err.unlisted.items():
                problems.count(key, n)
            continue
        if todo and frame.empty:
            no_rows.append(Problem(name, NO_ROWS_TODO, line=2, counted_as=NO_ROWS_RULE))
        headers[table][name] = header
        missing = [c for c in expected if c not in frame.columns]
        frame = frame.assign(**dict.fromkeys(missing, ""))[[*expected, *_ADDED]]
        if table == "articles":
            frame[ARTICLES_DIR_COLUMN] = str(Path(path).parent / config.ARTICLES_FOLDER)
            frame[ARTICLE_TEXT_COLUMN] = pd.Series(
                [source.files.text(name) for name in frame["file"]], index=frame.index, dtype=object
            )
        out.append(frame)
    if problems:
        raise SourcesError(warnings + problems.items + no_rows, read_as, problems.unlisted)
    result = []
    for table, frames, expected in (
        ("claims", claims, contract.CLAIM_COLUMNS),
        ("articles", articles, contract.ARTICLE_COLUMNS),
    ):
        extra = [LINE_COLUMN, SOURCE_FILE_COLUMN]
        if table == "articles":
            extra += [ARTICLES_DIR_COLUMN, ARTICLE_TEXT_COLUMN]
        empty = pd.DataFrame(columns=[*expected, *extra], dtype="str")
        frame = pd.concat(frames, ignore_index=True) if frames else empty
        frame.attrs["headers"] = headers[table]
        frame.attrs["read_as"] = read_as
        frame.attrs["read_warnings"] = [w.to_dict() for w in warnings]
        frame.attrs["read_errors"] = [e.to_dict() for e in no_rows]
        result.append(frame)
    return result[0], result[1]


def _read_file(
    source: Source,
    path: Path,
    expected: tuple[str, ...],
    read_as: dict[str, str],
    warnings: list[Problem],
    check_columns: bool = True,
    languages: Collection[str] | None = None,
    known: Mapping[str, str] | None = None,
    allow_empty: bool = False,
) -> tuple[pd.DataFrame, str, list[str]]:
    """One file of a source as its snapshot read it, parsed (``read_raw_csv``): the frame, each
    row named by its file (``SOURCE_FILE_COLUMN``), the file's shown name, and its own header
    (taken before that column is set: a file's own ``_source_file`` column is an unknown column
    for the column-set rule, never hidden by ours). How the file was read goes into ``read_as``
    and what reading detected into ``warnings``, taken off the frame's ``attrs`` (pandas
    deep-copies attrs into every result computed from a frame). The one reading step of every
    table, so each is read, located and described alike."""
    data = source.read_bytes(path)
    frame = read_raw_csv(path, expected, check_columns, languages, known, data, allow_empty)
    name = config.display_path(path)
    read_as[name] = frame.attrs["read_as"]
    warnings += [Problem(**w) for w in frame.attrs["read_warnings"]]
    frame.attrs = {}
    header = [c for c in frame.columns if c != LINE_COLUMN]
    frame[SOURCE_FILE_COLUMN] = name
    return frame, name, header


def unclaimed_path(source: Source) -> Path | None:
    """Where ``source`` keeps its unclaimed.csv: in its folder beside claims.csv, if its
    snapshot found one there (a lone claims CSV given as a file carries none)."""
    if source.folder is None:
        return None
    path = source.folder / config.UNCLAIMED_FILE
    return path if read_source(source).files.entry(path) is not None else None


def empty_unclaimed() -> pd.DataFrame:
    """No unclaimed rows, with the columns the completeness check reads."""
    columns = [*contract.UNCLAIMED_COLUMNS, LINE_COLUMN, SOURCE_FILE_COLUMN]
    return pd.DataFrame(columns=columns, dtype="str")


def read_unclaimed(sources: list[Source]) -> tuple[pd.DataFrame, list[Problem]]:
    """Every source's unclaimed.csv rows (file and line kept), and the problems reading them.

    Read as claims.csv is (``_read_file``: the bytes the source's snapshot read, once, safely;
    ingest writes those same bytes). A file that is not UTF-8 takes its encoding candidates
    from the articles its rows name, among every source's articles.csv as the snapshots read
    them; what was detected is a warning among the problems, and the frame's
    ``attrs["read_as"]`` says how each file was read (for the report's ``read_as``). A header
    alone is no error: a curator may clear every row. A file that cannot be read is a problem,
    not a refusal of the others: the claims are still judged.
    """
    sources = [read_source(s) for s in sources]
    known = article_languages(sources)
    frames, problems, read_as = [], [], {}
    for source in sources:
        path = unclaimed_path(source)
        if path is None:
            continue
        try:
            frame, _, _ = _read_file(
                source,
                path,
                contract.UNCLAIMED_COLUMNS,
                read_as,
                problems,
                known=known,
                allow_empty=True,
            )
        except DataError as err:
            problems += err.problems
            continue
        if len(frame):
            frames.append(frame)
    out = pd.concat(frames, ignore_index=True) if frames else empty_unclaimed()
    out.attrs["read_as"] = read_as
    return out, problems


@dataclass
class Tables:
    """What the intake read of a set of sources, handed on as one value: the checks start from
    it and never call back into reading.

    ``error`` is set when claims.csv or articles.csv could not be read into frames (``claims``
    and ``articles`` are then None, and unclaimed.csv is not read); ``refused`` are the files
    the snapshots refused besides the CSVs and a drop's files outside the contract (warnings);
    ``warnings`` what reading detected (an encoding, an older template, a claims file without
    rows); ``headers`` each claims and articles file's own header, for the column-set rule;
    ``read_as`` how each CSV was read; ``unclaimed_problems`` what reading unclaimed.csv found.
    """

    files: list[str]
    refused: list[Problem]
    claims: pd.DataFrame | None = None
    articles: pd.DataFrame | None = None
    error: DataError | None = None
    warnings: list[Problem] = field(default_factory=list)
    headers: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    read_as: dict[str, str] = field(default_factory=dict)
    unclaimed: pd.DataFrame | None = None
    unclaimed_problems: list[Problem] = field(default_factory=list)


def read_tables(sources: list[Source], release: bool = False) -> Tables:
    """Every table of ``sources``, read once, in one value (``Tables``) for the checks.

    Each source is read once (``read_source``, unless the caller already did, as ingest does
    to write the very bytes judged); a file whose columns differ from the contract is read in
    its own columns (the column-set rule judges it). ``release``: the claims CSVs' bytes are let
    go once parsed (``snapshot.Snapshot.release``), for a caller that neither writes nor hashes
    them after.
    """
    sources = [read_source(s) for s in sources]
    refused = refused_files(sources) + left_behind(sources)
    files = [config.display_path(s.claims_csv) for s in sources]
    try:
        claims, articles = read_sources(sources, check_columns=False)
    except DataError as err:
        return Tables(files, refused, error=err, read_as=getattr(err, "read_as", {}))
    if release:  # the caller reads no byte of them again: let the largest go
        for source in sources:
            source.files.release(source.claims_csv)
    # How the files were read rides on the frames' attrs from read_sources: taken off here,
    # once. pandas deep-copies attrs into the result of every operation, and the rules run
    # thousands of them (18% of a broken drop's validation went to copying its read warnings).
    read, article_headers = claims.attrs, articles.attrs["headers"]
    claims.attrs, articles.attrs = {}, {}
    warnings = [Problem(**w) for w in read["read_warnings"]]
    warnings += [Problem(**e) for e in read.get("read_errors", [])]
    unclaimed, unreadable = read_unclaimed(sources)
    return Tables(
        files,
        refused,
        claims,
        articles,
        warnings=warnings,
        headers={"claims": read["headers"], "articles": article_headers},
        read_as={**read["read_as"], **unclaimed.attrs.get("read_as", {})},
        unclaimed=unclaimed,
        unclaimed_problems=unreadable,
    )


def article_languages(sources: list[Source]) -> ArticleLanguages:
    """article_id -> language over the sources' articles.csv files, from the bytes their
    snapshots read (parsed only when a file that is not UTF-8 asks)."""
    return ArticleLanguages(
        [
            b
            for s in sources
            if s.articles_csv is not None
            for b in _bytes_if_read(s, s.articles_csv)
        ]
    )


def _bytes_if_read(source: Source, path: Path) -> list[bytes]:
    """[the file's bytes] when it could be read, else [] (its problem is reported elsewhere)."""
    try:
        return [source.read_bytes(path)]
    except DataError:
        return []


def _categorical(values: pd.Series, vocabulary: dict[str, str]) -> pd.Series:
    """A categorical whose categories are the whole vocabulary, so charts keep a fixed order."""
    return pd.Categorical(values.replace("", pd.NA), categories=list(vocabulary))


def parse_dates(values: pd.Series, errors: str = "raise") -> pd.Series:
    """ISO dates (YYYY-MM-DD) to datetime64; empty cells become NaT.

    ``errors="raise"`` for typing validated data (a failure there is a bug, not bad input);
    ``"coerce"`` for validation's helper columns, where an invalid date is a rule's business.
    Only the distinct values are parsed: a column holds few dates, and pandas parses a value
    that fails (2024-02-30) slowly, about 5 µs each, so a million broken rows cost 5 s a column.
    """
    codes, distinct = pd.factorize(values.replace("", pd.NA))
    parsed = pd.to_datetime(pd.Series(distinct, dtype=object), format="%Y-%m-%d", errors=errors)
    if not len(parsed):
        return pd.to_datetime(values.replace("", pd.NA), format="%Y-%m-%d", errors=errors)
    days = parsed.to_numpy().take(codes)
    days[codes < 0] = np.datetime64("NaT")
    return pd.Series(days, index=values.index, name=values.name)


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
        df[col] = parse_dates(df[col])
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
        df[col] = parse_dates(df[col])
    for col in ("article_id", "file", "title", "outlet", "url", "note"):
        df[col] = df[col].astype("string")
    return df


def load_claims(path: Path | None = None) -> pd.DataFrame:
    """Typed claims straight from a CSV (data/raw/'s unless given; for notebooks and tests: the
    build validates first)."""
    return type_claims(read_raw_claims(path))


def load_articles(path: Path | None = None) -> pd.DataFrame:
    """Typed articles straight from a CSV (data/raw/'s unless given)."""
    return type_articles(read_raw_articles(path))
