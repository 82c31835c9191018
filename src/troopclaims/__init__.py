"""troopclaims: a validated dataset of news claims about North Korea's troop deployment to Russia.

The package follows the data flow, a folder per stage: the foundations here at the top
(``errors``, ``config``, ``contract``, ``problems``, ``escaping``, ``progress``, ``atomic``),
then ``intake`` (a drop read from disk) -> ``checks`` (the contract's rules, the verdict) ->
``store`` (data/processed, ingested drops) -> ``report`` (findings, charts, the report);
``cli`` wires them to commands, in one parser. A module imports only from its own folder and
the stages before it (tests/test_layers.py).
"""

import sys

__version__ = "0.1.0"

# jsonschema registers its optional "iri" format checker when ``rfc3987_syntax`` is installed
# (JupyterLab's jupyter-events asks for it), and that package compiles a Lark grammar as it is
# imported: 1.3-2.1 s on a 2-core machine, paid at the start of every command, since Great
# Expectations imports jsonschema (through altair) and papermill and nbconvert do (through
# nbformat). Nothing here checks an IRI's format, so a troopclaims process marks the package
# absent, here, once (jsonschema then skips that one checker, as when it is not installed),
# unless something imported it first. `make bench` prints GX's import both ways.
sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]
