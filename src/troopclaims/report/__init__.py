"""Report: the findings, charts and pages built from processed data.

``analysis``, ``response_dates`` and ``findings`` compute what the report says (``impact``:
what a drop would change on page 1), ``charts``/``timing_chart`` draw it through ``svgout``
(``fonts``, ``tables``), ``execute`` runs the notebooks, ``provenance`` says what built the
report, ``assemble`` makes the HTML and PDF, and ``explore`` serves the dataset in Datasette.
The last stage: nothing in the package but ``cli`` imports from here.
"""
