"""troopclaims: a validated dataset of news claims about North Korea's troop deployment to Russia.

The package follows the data flow left to right, one module per stage:
``errors`` (the exception root) -> ``config`` (paths and layout names) -> ``contract`` (columns
and vocabularies) -> ``load`` (typed frames) -> ``dating`` (intervals derived
from evidence) -> ``expectations``/``validate`` (Great
Expectations) -> ``process`` (data/processed) -> ``ingest`` (new drops) -> ``analysis`` ->
``response_dates`` -> ``svgout`` (SVG output) -> ``charts`` -> ``timing_chart`` -> ``execute``
(notebooks) -> ``provenance`` -> ``report`` (HTML, PDF); ``cli`` wires them to commands, in one
parser. A module only imports from stages to its left.
"""

__version__ = "0.1.0"
