"""Start a data drop: a folder with the article texts, articles.csv and claims.csv to fill in.

``troopclaims new-drop NAME ARTICLE.txt ...`` is the first step of the drop loop (new-drop,
edit, validate, ingest, report). It writes only what it knows without guessing: each article's
id and file name, and its language when the script alone decides it (Hangul is Korean; Cyrillic
with є, ї or ґ is Ukrainian, with ы, э, ъ or ё Russian). Everything else — title, outlet,
dates — is left empty for the curator, and validation flags the required cells until they are
filled. The title is left empty
even when the first line looks like a headline: in the first corpus that line is a page date
(A001) or the lead paragraph (A004) as often as it is the title, so it is only printed as a hint.

The articles are raw data: their bytes are copied exactly. They come from outside, so each is
opened without following symlinks, checked on the opened descriptor (a regular file, not a FIFO,
device or folder), read up to a size limit and required to be UTF-8 text without NUL bytes. The
folder is built under a temporary name and renamed into place: it appears whole or not at all,
and an existing folder is never overwritten. It never goes under data/ (only ``ingest`` adds to
data/raw/, and data/processed/ may be deleted at any time).
"""

from __future__ import annotations

import contextlib
import csv
import errno
import hashlib
import re
import shlex
import textwrap
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from troopclaims import atomic, config, contract
from troopclaims.errors import UsageError
from troopclaims.intake import snapshot
from troopclaims.problems import DataError, Problem

MAX_ARTICLE_BYTES = config.MAX_ARTICLE_BYTES  # one limit for new-drop, validate and ingest
DEFAULT_PARENT = Path(config.DROPS_FOLDER)  # relative to the working directory, like data/raw/
# An article id leaves room for its claims' ids, `<article_id>-NN`, within ID_PATTERN's 64.
MAX_ARTICLE_ID_CHARS = 60
MAX_FILE_STEM_CHARS = 120
LANGUAGE_NOTE = "language inferred from the script by new-drop: check"
_UKRAINIAN_ONLY = set("єїґЄЇҐ")  # not in Russian or Belarusian
# Not in Ukrainian. Belarusian (ы, э, ё) and Bulgarian (ъ) have them too, but they are not
# languages of the contract; the note asks the curator to check the guess either way.
_RUSSIAN_ONLY = set("ыэъёЫЭЪЁ")
_HINT_CHARS = 100
_WRAP = 96  # printed instructions


class NewDropError(DataError):
    """The drop was not created (nothing was written); the problems say why (listed alone: they
    are the inputs', not a validation run's)."""

    listed_as_validation = False


@dataclass(frozen=True)
class NewArticle:
    """One article of the new drop: its row's known cells and where its text came from."""

    article_id: str
    file: str
    source: Path
    language: str
    note: str
    first_line: str  # a hint for the title, never written to articles.csv


@dataclass(frozen=True)
class NewDrop:
    """The folder new-drop created and the articles it holds."""

    name: str
    folder: Path
    articles: tuple[NewArticle, ...]

    @property
    def articles_csv(self) -> Path:
        return self.folder / config.ARTICLES_FILE

    @property
    def claims_csv(self) -> Path:
        return self.folder / config.CLAIMS_FILE


class TypedValueError(UsageError):
    """A path the user typed holds a control character; nothing was read or written."""


def refuse_control_characters(values: Mapping[str, object]) -> None:
    """Raise ``TypedValueError`` when a path the user typed (``label -> value``: ``INTO``,
    ``ARTICLE``, ``DROP``, ``JSON``) holds a control character, with the Makefile's message.

    Why: a line break or an ESC pasted into a path would create a folder of that name, then be
    printed back into the terminal; the Makefile's ``no_control`` refuses it for make's users,
    and this refuses it for whoever calls ``troopclaims`` directly. None or '' is not given.
    """
    for label, value in values.items():
        if value is not None and any(unicodedata.category(c) == "Cc" for c in str(value)):
            raise TypedValueError(
                f"{label} holds a control character (line break, tab, escape...): give the "
                "path on one line, as plain text"
            )


def check_name(name: str) -> None:
    """Raise unless ``name`` is a drop name ingest accepts (it becomes data/raw/drops/<name>)."""
    if not snapshot.is_drop_name(name):
        raise NewDropError(
            [
                Problem(
                    "NAME",
                    "a drop name is 1-64 letters, digits, '-', '_' or '.', starting with a "
                    "letter or digit (it becomes data/raw/drops/<name> and the articles' id "
                    "prefix)",
                    value=name,
                )
            ]
        )


def article_ids(name: str, count: int) -> list[str]:
    """``NAME-A01``, ``NAME-A02``…; a long name is cut and tagged with its digest (stays unique)."""
    width = max(2, len(str(count)))
    prefix = name
    if len(name) + 2 + width > MAX_ARTICLE_ID_CHARS:
        digest = hashlib.sha256(name.encode("utf-8")).hexdigest()[:6]
        keep = MAX_ARTICLE_ID_CHARS - 2 - width - len(digest) - 1
        prefix = f"{name[:keep].rstrip('-_.')}-{digest}"
    return [f"{prefix}-A{i:0{width}d}" for i in range(1, count + 1)]


def safe_file_name(name: str, taken: set[str]) -> str:
    """A contract-valid article file name (``contract.FILE_PATTERN``) close to ``name``.

    Accents are dropped (é -> e), other characters outside ``[A-Za-z0-9_.-]`` become ``_``, runs
    of dots become one, and the name ends in ``.txt``. ``taken`` holds the lower-cased names
    already used (case-insensitive file systems): a collision gets ``_2``, ``_3``…
    """
    stem = name[:-4] if name.lower().endswith(".txt") else name
    stem = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode("ascii")
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", stem)
    stem = re.sub(r"\.{2,}", ".", stem).lstrip(".-")[:MAX_FILE_STEM_CHARS].rstrip(".")
    stem = stem or "article"
    candidate, n = f"{stem}.txt", 2
    while candidate.lower() in taken:
        candidate, n = f"{stem}_{n}.txt", n + 1
    assert re.fullmatch(contract.FILE_PATTERN, candidate), candidate
    return candidate


def infer_language(text: str) -> str:
    """The ISO 639-1 code when the script alone decides it, else '' (the curator's call).

    Korean when most letters are Hangul. When most are Cyrillic, the contract's two Cyrillic
    languages each have letters the other lacks: Ukrainian when the text has є, ї or ґ and no
    ы, э, ъ or ё; Russian the other way round (a text with both, a quotation in the other
    language, is left to the curator). Every Latin-script language is left for the curator:
    the script does not tell them apart from their neighbours.
    """
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return ""
    hangul = sum("HANGUL" in unicodedata.name(c, "") for c in letters)
    if hangul * 2 > len(letters):
        return "ko"
    cyrillic = sum("CYRILLIC" in unicodedata.name(c, "") for c in letters)
    if cyrillic * 2 <= len(letters):
        return ""
    ukrainian, russian = _UKRAINIAN_ONLY & set(letters), _RUSSIAN_ONLY & set(letters)
    if ukrainian and not russian:
        return "uk"
    if russian and not ukrainian:
        return "ru"
    return ""  # both (a quotation in the other language) or neither: the curator's call


def read_article(path: Path) -> bytes:
    """The bytes of one article text, read safely; raises ``NewDropError`` with the reason.

    Read as a drop's texts are (``snapshot.read_file``: no link followed, a FIFO cannot hang
    the open, the opened descriptor must be a regular file within ``MAX_ARTICLE_BYTES``); the
    text must be non-empty UTF-8 without NUL bytes.
    """
    shown = str(path)

    def refuse(rule: str, line: int | None = None) -> NewDropError:
        return NewDropError([Problem(shown, rule, line=line)])

    try:
        data = snapshot.read_file(Path(path), kind="text")
    except DataError as err:
        raise NewDropError(err.problems) from None
    if not data.strip():
        raise refuse("is empty: an article needs its text")
    nul = data.find(b"\x00")
    if nul >= 0:
        line = data.count(b"\n", 0, nul) + 1
        raise refuse("contains NUL bytes: it is binary, not a text file", line=line)
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        bad = data[exc.start : exc.start + 4].hex(" ")
        raise refuse(
            f"is not valid UTF-8 (bytes {bad} at byte {exc.start}): save the text as UTF-8",
            line=data.count(b"\n", 0, exc.start) + 1,
        ) from None
    return data


def _first_line(text: str) -> str:
    line = next((s.strip() for s in text.splitlines() if s.strip()), "")
    return line if len(line) <= _HINT_CHARS else line[: _HINT_CHARS - 1] + "…"


def _check_target(folder: Path, name: str) -> list[Problem]:
    """Refusals about where the drop would go: inside data/, under a file, existing, or
    already ingested."""
    shown = str(folder)
    if config.inside_data(folder):
        return [
            Problem(
                shown,
                "a new drop is never created under data/ (only `troopclaims ingest` adds to "
                "data/raw/; data/processed/ is rebuilt): choose another folder with --into",
            )
        ]
    for above in folder.parents:  # the nearest that exists must be a folder to create in
        if above.exists() or above.is_symlink():
            if not above.is_dir():
                return [Problem(str(above), "is not a folder: --into names where drops are made")]
            break
    if folder.exists() or folder.is_symlink():
        return [Problem(shown, "already exists: new-drop never overwrites; choose another NAME")]
    if snapshot.ingested_as(config.RAW_DIR, name) is not None:
        return [
            Problem(
                shown,
                f"a drop named {name!r} is already in data/raw/drops/ and ingest would refuse "
                "this one: choose another NAME",
            )
        ]
    return []


def new_drop(
    name: str, articles: Sequence[Path | str], parent: Path | str | None = None
) -> NewDrop:
    """Create ``parent/name`` (default ``drops/name``) holding the articles and both CSVs.

    Every input is checked before anything is written, and every refusal is reported at once
    (``NewDropError``); the folder is then built aside and renamed into place.
    """
    check_name(name)
    refuse_control_characters({"INTO": parent})
    for article in articles:
        refuse_control_characters({"ARTICLE": article})
    if not articles:
        raise NewDropError([Problem("ARTICLE", "give at least one article text file")])
    folder = Path(DEFAULT_PARENT if parent is None else parent) / name
    problems = _check_target(folder, name)
    sources = [Path(a) for a in articles]
    texts: list[bytes] = []
    seen: dict[str, Path] = {}
    for source in sources:
        try:
            data = read_article(source)
        except NewDropError as err:
            problems += err.problems
            continue
        digest = hashlib.sha256(data).hexdigest()
        if digest in seen:
            problems.append(
                Problem(str(source), f"has the same bytes as {seen[digest]}: give each text once")
            )
        seen.setdefault(digest, source)
        texts.append(data)
    if problems:
        raise NewDropError(problems)

    taken: set[str] = set()
    rows: list[NewArticle] = []
    for article_id, source, data in zip(
        article_ids(name, len(sources)), sources, texts, strict=True
    ):
        file = safe_file_name(source.name, taken)
        taken.add(file.lower())
        text = data.decode("utf-8")
        language = infer_language(text)
        notes = [LANGUAGE_NOTE] if language else []
        if file != source.name:
            notes.append(f"file received as {source.name!r}, renamed by new-drop")
        rows.append(
            NewArticle(article_id, file, source, language, "; ".join(notes), _first_line(text))
        )

    try:
        with atomic.atomic_new_dir(folder) as tmp:
            (tmp / config.ARTICLES_FOLDER).mkdir()
            for row, data in zip(rows, texts, strict=True):
                with (tmp / config.ARTICLES_FOLDER / row.file).open("xb") as fh:
                    fh.write(data)
            _write_csv(
                tmp / config.ARTICLES_FILE,
                contract.ARTICLE_COLUMNS,
                [_article_row(r) for r in rows],
            )
            _write_csv(tmp / config.CLAIMS_FILE, contract.CLAIM_COLUMNS, [])
    except OSError as exc:
        if exc.errno not in (errno.EEXIST, errno.ENOTEMPTY):
            raise
        # created by someone else since the check: the rename refuses a non-empty folder
        raise NewDropError(
            [Problem(str(folder), "already exists: new-drop never overwrites")]
        ) from None
    return NewDrop(name, folder, tuple(rows))


def _article_row(article: NewArticle) -> dict[str, str]:
    row = dict.fromkeys(contract.ARTICLE_COLUMNS, "")
    row.update(
        article_id=article.article_id,
        file=article.file,
        language=article.language,
        note=article.note,
    )
    return row


def _write_csv(path: Path, header: Sequence[str], rows: list[dict[str, str]]) -> None:
    """UTF-8 without BOM, LF, RFC 4180 quoting: the contract's CSV form."""
    with path.open("x", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(header), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def _shown(path: Path, base: Path) -> str:
    """``path`` relative to ``base`` when inside it, else absolute, quoted for a shell."""
    resolved = path.resolve()
    with contextlib.suppress(ValueError):
        return shlex.quote(str(resolved.relative_to(base.resolve())))
    return shlex.quote(str(resolved))


def describe(drop: NewDrop, cwd: Path | None = None) -> list[str]:
    """What was created, then the numbered steps that turn it into part of the dataset."""
    cwd = Path.cwd() if cwd is None else cwd
    here = _shown(drop.folder, cwd)
    at_root = cwd.resolve() == config.ROOT.resolve()
    make = "make" if at_root else f"make -C {shlex.quote(str(config.ROOT))}"
    for_make = _shown(drop.folder, config.ROOT)
    n = len(drop.articles)
    ids = [a.article_id for a in drop.articles]
    lines = [
        f"created {here}/ (a draft: not part of the dataset until ingested)",
        f"  articles.csv   {n} article(s): {', '.join(ids)}",
        "  claims.csv     header only",
    ]
    width = max(len(a.file) for a in drop.articles)
    lines += [
        f"  articles/{a.file:<{width}}  <- {a.source}  ({a.article_id})" for a in drop.articles
    ]
    lines += ["", "What to fill in (data/README.md is the data dictionary):"]
    lines += _wrapped(
        "  1. ",
        "articles.csv, one row per article: fill its empty cells (url only when known). outlet "
        "is 'unknown' when the text does not name it; a date the text does not support stays "
        "empty, with date_precision and date_basis 'unknown'; title is the headline as the "
        "text gives it, empty if it has none.",
    )
    for a in drop.articles:
        row = _article_row(a)
        empty = [c for c in contract.ARTICLE_COLUMNS if not row[c] and c != "note"]
        lines.append(f"     {a.article_id} ({a.file}): {', '.join(empty)}")
        if a.language:
            lines.append(f"       check language {a.language!r}, inferred from the script")
        lines.append(f"       its first line: {a.first_line!r}")
    lines += _wrapped(
        "  2. ",
        "claims.csv: one row per claim as the article reports it: every troop figure, every "
        "response, the context the analysis needs (data/README.md, 'Curation rules'). "
        f"claim_id is <article_id>-NN ({ids[0]}-01, {ids[0]}-02, ...); the quote is copied "
        "verbatim from the text.",
    )
    lines += [  # commands are never wrapped, and their paths quoted once (``_shown``): copied
        f"     to start from drafts: troopclaims draft {here}  (claims.draft.csv, "
        "one row per troop figure; review, then move rows into claims.csv)",
        f"  3. troopclaims validate {here}",
        "     until it passes (it checks articles.csv once claims.csv has a row)",
        f"  4. {make} ingest DROP={for_make}",
        f"  5. {make} report",
    ]
    return lines


def _wrapped(lead: str, text: str) -> list[str]:
    return textwrap.wrap(
        text,
        width=_WRAP,
        initial_indent=lead,
        subsequent_indent=" " * len(lead),
        break_long_words=False,
        break_on_hyphens=False,
    )
