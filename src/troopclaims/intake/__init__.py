"""Intake: a drop or the dataset read from disk, untrusted, into frames.

``snapshot`` reads every regular file once (no link followed, sizes bounded) and refuses what
it must; ``csvformat`` decides how a CSV was written (encoding, delimiter, line endings);
``load`` parses the tables into exact-string frames with their physical line numbers. Nothing
here judges a row against the contract: that is ``troopclaims.checks``.
"""
