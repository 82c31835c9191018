"""The one way a string from a drop reaches a terminal, a log or a page: escaped.

A drop is untrusted input. Its file names, CSV cells and article sentences end up in messages,
in the validation page and in the report, and a terminal obeys what it prints: ESC starts a
sequence that can retitle the window, move the cursor or rewrite what was printed above; a line
break inside a file name forges a line of output (``\\nvalidation PASSED: 0 error(s)``); a bidi
control makes text read one way and be stored another. So every such string passes here first.

- ``for_terminal``: one line of visible text. Every control, format (bidi, zero-width), line or
  paragraph separator, surrogate, private-use or unassigned character is shown as its Python
  escape (``\\x1b``, ``\\n``, ``\\u202e``), so nothing can act on the terminal and one value is
  one line, whatever it holds. Visible text (accents, Cyrillic, Hangul, spaces) is kept.
- ``for_json``: a JSON document (the validation result) with the same characters as ``\\u``
  escapes: the same data, safe to ``cat``.
- ``for_page``: the same for text laid out on a page (HTML, SVG, PDF), which keeps tabs and line
  breaks (a note may have paragraphs); the other characters XML and HTML forbid or a reader
  cannot see are shown escaped.

Each costs a few C-speed passes over the text (``str.isprintable``, a character scan only when
it fails), and ``for_terminal`` and ``for_page`` can cut the text to ``limit`` characters first,
so a 5 MB value costs a bounded output.

This module imports nothing from the package, so any stage can use it.
"""

from __future__ import annotations

import unicodedata

# Unicode general categories no reader can see or that act on what shows the text: controls,
# format characters (bidi, zero-width), line and paragraph separators, surrogates, private use
# and unassigned code points.
_HIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs", "Co", "Cn"})
_PAGE_BREAKS = frozenset("\t\n\r")
# Unprintable to Python but never escaped by ``for_page`` and ``for_json``, and common in what
# they get: the page breaks and French's no-break spaces. ``_nothing_to_escape`` sets them aside.
_NOT_HIDDEN = (*sorted(_PAGE_BREAKS), "\u00a0", "\u202f")
ELLIPSIS = "…"


def _escaped(char: str) -> str:
    """A hidden character as the escape a Python string literal would use (``\\x1b``)."""
    if char in "\t\n\r":
        return repr(char)[1:-1]
    code = ord(char)
    if code <= 0xFF:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def _is_hidden(char: str) -> bool:
    """Whether a character (other than a plain space) must be escaped to be seen safely."""
    return unicodedata.category(char) in _HIDDEN_CATEGORIES


def _nothing_to_escape(text: str) -> bool:
    """True when ``text`` certainly holds nothing to escape: printable once its tabs, line
    breaks and the no-break spaces French writes (U+00A0, U+202F) are set aside, in a few
    C-speed passes. False only sends the text to the character scan, which may still find
    nothing (another space separator, also unprintable to Python, is not hidden).

    Why: a pretty-printed JSON document or a note with paragraphs is never ``isprintable`` (its
    line breaks are not), and the scan it fell back to was ~30 ms of a small drop's validation
    and seconds of a large fix list. Every hidden category is unprintable to Python, so text
    printable but for these characters, none of them hidden, has nothing to escape.
    """
    for char in _NOT_HIDDEN:
        text = text.replace(char, "")
    return text.isprintable()


def _cut(text: str, limit: int | None) -> tuple[str, str]:
    """``text`` cut to ``limit`` characters, and the mark that says it was cut."""
    if limit is None or len(text) <= limit:
        return text, ""
    return text[:limit], ELLIPSIS


def for_terminal(text: object, limit: int | None = None) -> str:
    """``text`` as one line of visible characters: every hidden character escaped.

    Why here and not at each print: a value reaches the user through many routes (a problem's
    message, a warning about a file left behind, the name of an ingested drop, an error of a
    notebook); one function means one rule to test and no route forgotten.
    """
    text, more = _cut(str(text), limit)
    if text.isprintable():  # the common case: one C-speed pass
        return text + more
    return "".join(_escaped(c) if c != " " and _is_hidden(c) else c for c in text) + more


def for_page(text: object, limit: int | None = None) -> str:
    """``text`` for a page (HTML, SVG, PDF): tabs and line breaks kept, every other hidden
    character escaped, so no raw ESC or BEL reaches a page and XML stays well-formed.

    HTML markup is the template's or the table writer's to escape: this only makes the hidden
    visible.
    """
    text, more = _cut(str(text), limit)
    if _nothing_to_escape(text):
        return text + more
    return (
        "".join(
            _escaped(c) if c not in _PAGE_BREAKS and c != " " and _is_hidden(c) else c for c in text
        )
        + more
    )


def for_json(document: str) -> str:
    """A JSON document with every hidden character written as a ``\\uXXXX`` escape.

    ``json.dumps`` escapes C0 controls but writes DEL, C1 controls (``\\x9b`` is a CSI to some
    terminals) and bidi controls raw when ``ensure_ascii`` is off, as it must be for French and
    Korean to stay readable. The result file is read in terminals and editors too, so those are
    escaped as well: the same data, in the form JSON defines for it. Only valid inside a JSON
    string or between tokens, which is where ``json.dumps`` output holds such characters.
    """
    if _nothing_to_escape(document):
        return document
    return "".join(
        _json_escape(c) if c not in _PAGE_BREAKS and c != " " and _is_hidden(c) else c
        for c in document
    )


def _json_escape(char: str) -> str:
    """``char`` as JSON writes it with ``ensure_ascii`` (a surrogate pair past the BMP)."""
    code = ord(char)
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    code -= 0x10000
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"
