"""Tables as the notebooks and the report show them: escaped HTML, every cell whole; and CSV.

A notebook's table output becomes the report's table (nbconvert copies the HTML), so what is
decided here (escaping, which columns of running text keep a share of the width) holds for the
notebook, the HTML report and the PDF alike.
"""

from __future__ import annotations

import html
from numbers import Number
from pathlib import Path

import pandas as pd

from troopclaims import atomic
from troopclaims.escaping import for_page

# Columns of running text get a guaranteed share of a table's width (a CSS min-width), so a
# page-wide table squeezes its short columns, not the quote, into a narrow strip.
TEXT_COLUMNS = {"quote": "36%", "what differs": "36%", "description": "36%", "rule": "30%"}


def table(df: pd.DataFrame, name: str = "", output_dir: str | Path = "") -> None:
    """Display ``df`` as an escaped HTML table (every cell, whatever its length); save as CSV.

    Every header and cell is escaped here (``cell_html``; pandas' own escaping is off so that
    a Korean word can be kept whole), so a quote holding '<script>' shows as text, and
    ``escaping.for_page`` makes a hidden character (ESC, a bidi control) visible; the
    column-width limit pandas applies to notebook output is lifted so quotes are never cut.
    """
    from IPython.display import HTML, display

    if output_dir and name:
        atomic.write_text(Path(output_dir) / f"{name}.csv", df.to_csv(index=False))
    widths = {cell_html(col): w for col, w in TEXT_COLUMNS.items() if col in df.columns}
    shown = df.map(_cell)
    shown.columns = [cell_html(str(c)) for c in df.columns]
    html = shown.to_html(
        index=False, escape=False, na_rep="", border=0, classes="tc-table", col_space=widths
    )
    display(HTML(html))


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
