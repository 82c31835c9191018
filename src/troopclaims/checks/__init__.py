"""Checks: the data contract's rules applied to what intake read, and the verdict.

``expectations`` builds the rules as Great Expectations objects (custom ones in
``gx_custom``), ``gxrun`` runs them (``distinct`` groups large drops), ``completeness`` finds
troop figures no claim covers (``numbers`` and ``quotes`` read figures and quotes in text),
``dating`` derives date bounds from evidence, ``validate`` reads and judges a set of sources
in one run, and ``verdict``/``verdict_display`` hold and show the result. Imports only from
``troopclaims.intake`` and the foundations.
"""
