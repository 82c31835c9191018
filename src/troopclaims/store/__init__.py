"""Store: what a verdict lets into data/.

``process`` writes data/processed/ from the validated frames (``manifest`` records what it
was built from; ``datapackage`` describes it as a Frictionless Data Package), ``ingest`` folds
a valid drop into data/raw/drops/, ``newdrop`` makes a drop folder to fill in, and ``draft``
proposes claims for the curator to review. Imports only from the stages before it.
"""
