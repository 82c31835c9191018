"""Checks: the data contract's rules applied to what intake read, and the verdict.

``expectations`` builds the rules as Great Expectations objects (custom ones in
``gx_custom``), ``gxrun`` runs them (``distinct`` groups large drops), ``completeness`` finds
troop figures no claim covers (``numbers`` and ``quotes`` read figures and quotes in text),
``dating`` derives date bounds from evidence, ``validate`` reads and judges a set of sources
in one run, and ``verdict``/``verdict_display`` hold and show the result. Imports only from
``troopclaims.intake`` and the foundations.
"""

import sys

# Great Expectations imports altair, altair imports jsonschema, and jsonschema registers its
# optional "iri" format checker when ``rfc3987_syntax`` is installed (JupyterLab's
# jupyter-events asks for it). That package compiles a Lark grammar as it is imported: 1.8 s
# of GX's 4.9 s import on a 2-core machine, paid by every command that validates. Nothing
# here checks an IRI's format, so the package is marked absent in a process that loads the
# checks (jsonschema then skips that checker, as it does when the package is not installed),
# unless something imported it first. ``make bench`` prints the import with and without it.
sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]
