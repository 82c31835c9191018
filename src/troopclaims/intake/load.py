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
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from troopclaims import contract
from troopclaims.intake import snapshot
from troopclaims.intake.csvformat import (
    ENCODING_NAMES,
    MAX_FIELD_CHARS,
    DecodedCSV,
    Dialect,
    around,
    decode_csvs,
    line_of,
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


def _parse_csv(
    name: str,
    data: bytes,
    dialect: Dialect,
    expected: tuple[str, ...],
    check_columns: bool = True,
    allow_empty: bool = False,
) -> tuple[pd.DataFrame, list[Problem]]:
    """The records of one decoded CSV (``data``: normalised as ``sniff`` leaves it) as a frame
    of strings with a ``_line`` column, and the warnings parsing found (empty trailing columns
    dropped, an older template); ``DataError`` with every located fault otherwise.

    A header without data rows is an error, unless ``allow_empty`` (a file whose rows are all
    optional: unclaimed.csv)."""
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
        frame = _careful_read(name, data, cells, dialect.delimiter, dialect.encoding)
    frame.columns = [*header, *ghosts, LINE_COLUMN]  # the unnamed ones, by position
    frame, ghost_warning = _without_ghosts(name, frame, ghosts, len(header))
    long_cells = _long_cells(name, frame)
    if long_cells:
        raise DataError(long_cells)
    added = [c for c in expected if c in contract.LATER_COLUMNS and c not in header]
    frame = frame.assign(**dict.fromkeys(added, ""))
    columns = list(expected) if check_columns else [*header, *added]
    said = [ghost_warning] if ghost_warning is not None else []
    if added and expected == contract.CLAIM_COLUMNS:
        said.append(_older_contract(name, header))
    return frame[[*columns, LINE_COLUMN]], said


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
    name: str, data: bytes, header: list[str], delimiter: str = ",", encoding: str = "utf-8"
) -> pd.DataFrame:
    """The csv-module path: slower, but locates every problem to its line.

    ``data`` is the normalised data ``sniff`` returns (LF line endings, no BOM)."""
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


SOURCE_FILE_COLUMN = "_source_file"
# Each articles row's text as messages name it: articles/<file> beside its articles.csv, shown.
TEXT_FILE_COLUMN = "_text_file"


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


def parse(
    taken: snapshot.Taken, decoded: Iterable[DecodedCSV], check_columns: bool = False
) -> Tables:
    """The intake's third stage: every decoded CSV parsed into frames, handed on as one value.

    claims.csv and articles.csv of every source are concatenated as strings, each row
    remembering its file and line; every file is parsed before failing (``Tables.error``), so
    one run reports the problems of all of them. With ``check_columns=False`` (validation's
    reading) a file whose columns differ from the contract is not an error here: ``headers``
    maps every file to its own header, for the column-set rule, and its rows join the
    concatenation in the contract's columns (a missing column empty, an unknown one left out),
    so that the row rules of the columns it does have still run; and a claims file without
    rows is read too (its drop's troop sentences are then the curator's to-do list, listed
    beside the one error that it has no claims yet). The articles frame's
    ``ARTICLE_TEXT_COLUMN`` holds each row's text as the snapshot read it, and
    ``TEXT_FILE_COLUMN`` its name in messages. unclaimed.csv is parsed only when both could
    be: a file of it that cannot be parsed is a problem, not a refusal of the others (the
    claims are still judged), and a header alone is no error (a curator may clear every row).
    ``decoded`` is taken once, in order (``csvformat.decode_csvs`` decodes as it is asked), and
    each file's decoded bytes are let go once it is parsed: one copy is held at a time.
    """
    frames: dict[str, list[pd.DataFrame]] = {"claims": [], "articles": [], "unclaimed": []}
    headers: dict[str, dict[str, list[str]]] = {"claims": {}, "articles": {}}
    read_as: dict[str, str] = {}
    warnings: list[Problem] = []
    no_rows: list[Problem] = []
    # Each file's problems are bounded already (``_records``); the verdict bounds the run's
    # fix list, in file and line order: here they are only collected, with their counts.
    problems = BoundedProblems(limit=None)
    unclaimed_problems: list[Problem] = []
    for dec in decoded:  # claims.csv and articles.csv come first, each unclaimed.csv after
        table = dec.raw.table
        if table == "unclaimed":
            if problems:  # no frames to check it against: left unread
                break
            try:
                frame, _ = _frame_of(dec, read_as, unclaimed_problems, allow_empty=True)
            except DataError as err:
                unclaimed_problems += err.problems
                continue
            if len(frame):
                frames["unclaimed"].append(frame)
            continue
        todo = table == "claims" and not check_columns
        try:
            frame, header = _frame_of(dec, read_as, warnings, check_columns, todo)
        except DataError as err:
            for p in err.problems:
                problems.add(p)
            for key, n in err.unlisted.items():
                problems.count(key, n)
            continue
        if todo and frame.empty:
            no_rows.append(Problem(dec.raw.name, NO_ROWS_TODO, line=2, counted_as=NO_ROWS_RULE))
        headers[table][dec.raw.name] = header
        frames[table].append(frame)
    if problems:
        error = SourcesError(warnings + problems.items + no_rows, read_as, problems.unlisted)
        return Tables(taken.files, taken.refused, error=error, read_as=read_as)
    return Tables(
        taken.files,
        taken.refused,
        _concat(frames["claims"], contract.CLAIM_COLUMNS),
        _concat(frames["articles"], contract.ARTICLE_COLUMNS),
        warnings=warnings + no_rows,
        headers=headers,
        read_as=read_as,
        unclaimed=_concat(frames["unclaimed"], contract.UNCLAIMED_COLUMNS),
        unclaimed_problems=unclaimed_problems,
    )


def _frame_of(
    dec: DecodedCSV,
    read_as: dict[str, str],
    warnings: list[Problem],
    check_columns: bool = True,
    allow_empty: bool = False,
) -> tuple[pd.DataFrame, list[str]]:
    """One decoded file parsed (``_parse_csv``): the frame in the contract's columns, each row
    named by its file (``SOURCE_FILE_COLUMN``), and the file's own header (taken before that
    column is set: a file's own ``_source_file`` column is an unknown column for the column-set
    rule, never hidden by ours). How the file was read goes into ``read_as`` and what decoding
    and parsing detected into ``warnings``. The one parsing step of every table, so each is
    read, located and described alike."""
    raw, data = dec.raw, dec.data
    if data is None or dec.dialect is None:
        raise DataError(dec.problems)
    dec.data = None  # the one copy: a large file's bytes go once parsed, before the reshaping
    frame, said = _parse_csv(raw.name, data, dec.dialect, raw.expected, check_columns, allow_empty)
    del data
    read_as[raw.name] = dec.read_as
    warnings += [p for p in [dec.warning, *said] if p is not None]
    header = [c for c in frame.columns if c != LINE_COLUMN]
    missing = [c for c in raw.expected if c not in frame.columns]
    frame = frame.assign(**dict.fromkeys(missing, ""))[[*raw.expected, LINE_COLUMN]]
    frame[SOURCE_FILE_COLUMN] = raw.name
    if raw.table == "articles":
        frame[TEXT_FILE_COLUMN] = raw.texts_shown + "/" + frame["file"]
        texts = raw.texts or {}
        frame[ARTICLE_TEXT_COLUMN] = pd.Series(
            [texts.get(name) for name in frame["file"]], index=frame.index, dtype=object
        )
    return frame, header


def empty_unclaimed() -> pd.DataFrame:
    """No unclaimed rows, with the columns the completeness check reads."""
    return _concat([], contract.UNCLAIMED_COLUMNS)


def _concat(frames: list[pd.DataFrame], expected: tuple[str, ...]) -> pd.DataFrame:
    """One table's frames as one, or an empty frame of its columns when there are none."""
    if frames:
        return pd.concat(frames, ignore_index=True)
    extra = [LINE_COLUMN, SOURCE_FILE_COLUMN]
    if expected == contract.ARTICLE_COLUMNS:
        extra += [TEXT_FILE_COLUMN, ARTICLE_TEXT_COLUMN]
    return pd.DataFrame(columns=[*expected, *extra], dtype="str")


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


def read_tables(
    sources: list[snapshot.Source], check_columns: bool = False, release: bool = False
) -> Tables:
    """The intake, stage by stage, each called once and in order, each taking the value the one
    before returned: read every file once (``snapshot.take``), decode every CSV
    (``csvformat.decode_csvs``), parse every table (``parse``). The one way a run reads its sources:
    validation, ingest, process and the draft all start here, and nothing after it opens a file.

    ``release``: the claims CSVs' bytes are let go once parsed (``snapshot.Taken.release_claims``),
    for a caller that neither writes nor hashes them after.
    """
    taken = snapshot.take(sources)
    decoded = decode_csvs(taken.csvs)
    tables = parse(taken, decoded, check_columns)
    if release:
        taken.release_claims()
    return tables
