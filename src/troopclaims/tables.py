"""Tables as the notebooks and the report show them: escaped HTML, every cell whole; and CSV.

A notebook's table output becomes the report's table (nbconvert copies the HTML), so what is
decided here (escaping, which columns of running text keep a share of the width) holds for the
notebook, the HTML report and the PDF alike.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from troopclaims import atomic
from troopclaims.escaping import for_page

# Columns of running text get a guaranteed share of a table's width (a CSS min-width), so a
# page-wide table squeezes its short columns, not the quote, into a narrow strip.
TEXT_COLUMNS = {"quote": "36%", "what differs": "36%", "description": "36%", "rule": "30%"}


def table(df: pd.DataFrame, name: str = "", output_dir: str | Path = "") -> None:
    """Display ``df`` as an escaped HTML table (every cell, whatever its length); save as CSV.

    pandas escapes '<', '>' and '&' here, so a quote holding '<script>' shows as text, and
    ``escaping.for_page`` makes a hidden character (ESC, a bidi control) visible; the
    column-width limit pandas applies to notebook output is lifted so quotes are never cut.
    """
    from IPython.display import HTML, display

    if output_dir and name:
        atomic.write_text(Path(output_dir) / f"{name}.csv", df.to_csv(index=False))
    widths = {col: w for col, w in TEXT_COLUMNS.items() if col in df.columns}
    shown = df.map(lambda v: for_page(v) if isinstance(v, str) else v)
    html = shown.to_html(
        index=False, escape=True, na_rep="", border=0, classes="tc-table", col_space=widths
    )
    display(HTML(html))
