"""troopclaims: a validated dataset of news claims about North Korea's troop deployment to Russia.

The package follows the data flow, a folder per stage: the foundations here at the top
(``errors``, ``config``, ``contract``, ``problems``, ``escaping``, ``progress``, ``atomic``),
then ``intake`` (a drop read from disk) -> ``checks`` (the contract's rules, the verdict) ->
``store`` (data/processed, ingested drops) -> ``report`` (findings, charts, the report);
``cli`` wires them to commands, in one parser. A module imports only from its own folder and
the stages before it (tests/test_layers.py).
"""

__version__ = "0.1.0"
