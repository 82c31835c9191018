"""Tables as the notebooks and the report show them: escaped HTML, every cell whole; and CSV.

A notebook's table output becomes the report's table (nbconvert copies the HTML), so what is
decided here (escaping, which columns of running text keep a share of the width) holds for the
notebook, the HTML report and the PDF alike.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from numbers import Number
from pathlib import Path

import pandas as pd

from troopclaims import atomic
from troopclaims.escaping import for_page

# Columns of running text get a guaranteed share of a table's width (a CSS min-width), so a
# page-wide table squeezes its short columns, not the quote, into a narrow strip.
TEXT_COLUMNS = {"quote": "36%", "what differs": "36%", "description": "36%", "rule": "30%"}


# Columns holding the article's own words (as the article writes them, in its language): each
# cell gets the article's ``lang``, looked up by the row's id (the first of ``ID_COLUMNS`` the
# table has), so a screen reader reads a French quote with French rules, a Korean one in Korean.
ARTICLE_WORDS = ("quote", "claimant", "title")
ID_COLUMNS = ("claim", "claim_id", "article", "article_id")
# The curator's word for the article's own narration: English, not the article's words.
NOT_ARTICLE_WORDS = {"unattributed"}


def table(
    df: pd.DataFrame,
    name: str = "",
    output_dir: str | Path = "",
    languages: Mapping[str, str] | None = None,
) -> None:
    """Display ``df`` as an escaped HTML table (every cell, whatever its length); save as CSV.

    Every header and cell is escaped here (``cell_html``; pandas' own escaping is off so that
    a Korean word can be kept whole), so a quote holding '<script>' shows as text, and
    ``escaping.for_page`` makes a hidden character (ESC, a bidi control) visible; the
    column-width limit pandas applies to notebook output is lifted so quotes are never cut.
    ``languages`` (claim or article id -> ISO 639-1 code, ``analysis.languages``) marks the
    article's words with their language (``ARTICLE_WORDS``).
    """
    from IPython.display import HTML, display

    if output_dir and name:
        atomic.write_text(Path(output_dir) / f"{name}.csv", df.to_csv(index=False))
    display(HTML(table_html(df, languages)))


def table_html(df: pd.DataFrame, languages: Mapping[str, str] | None = None) -> str:
    """``df`` as the report's escaped HTML table (``table`` displays it; a figure's data table
    is built here too), each cell of the article's words in a span with its ``lang``."""
    widths = {cell_html(col): w for col, w in TEXT_COLUMNS.items() if col in df.columns}
    shown = df.map(_cell)
    id_column = next((c for c in ID_COLUMNS if c in df.columns), None)
    if languages and id_column is not None:
        langs = [languages.get(str(i), "") for i in df[id_column]]
        for col in (c for c in ARTICLE_WORDS if c in df.columns):
            position = df.columns.get_loc(col)
            shown[col] = [
                _in_language(cell, lang, raw)
                for cell, lang, raw in zip(shown.iloc[:, position], langs, df[col], strict=True)
            ]
    shown.columns = [cell_html(str(c)) for c in df.columns]
    return shown.to_html(
        index=False, escape=False, na_rep="", border=0, classes="tc-table", col_space=widths
    )


_LANG_CODE = re.compile(r"[a-z]{2,3}(-[A-Za-z0-9]{1,8})*")


def _in_language(cell: object, lang: str, raw: object) -> object:
    """A cell's HTML in a span carrying its language, unless it is empty, not a string, the
    curator's own word (``NOT_ARTICLE_WORDS``) or the code is not a well-formed language tag."""
    if not isinstance(raw, str) or not raw or raw in NOT_ARTICLE_WORDS:
        return cell
    if not _LANG_CODE.fullmatch(lang):
        return cell
    return f'<span lang="{lang}">{cell}</span>'


def _cell(value: object) -> object:
    """A cell for ``to_html(escape=False)``: numbers and missing values as pandas writes them,
    anything else (a string, a date, a list) as escaped text."""
    if value is None or value is pd.NaT or isinstance(value, Number):
        return value
    return cell_html(str(value))


_NOBR = '<span style="white-space: nowrap">'


def cell_html(text: str) -> str:
    """A cell's text as HTML: escaped (``for_page``, then '<', '>', '&', quotes), each word
    holding Hangul kept on one line.

    Why: Korean is written with spaces between words, but line breaking (Pango in the PDF, and
    browsers without 'word-break: keep-all', which WeasyPrint ignores) may break between any
    two syllables, so '2000명' split as '2000' / '명' and '지역에서' as '지역' / '에서'. A span
    changes no character, so what a reader copies is the quote as curated.
    """
    words = html.escape(for_page(text)).split(" ")
    return " ".join(f"{_NOBR}{w}</span>" if _keep_whole(w) else w for w in words)


_MAX_KEPT_CHARS = 24  # a longer run of Hangul without a space may break: it must fit a cell


def _keep_whole(word: str) -> bool:
    return len(word) <= _MAX_KEPT_CHARS and _has_hangul(word)


def _has_hangul(word: str) -> bool:
    return any("\uac00" <= c <= "\ud7a3" or "\u1100" <= c <= "\u11ff" for c in word)
