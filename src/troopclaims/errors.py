"""The root of every error troopclaims reports to a user, and the exit code each one ends in.

A user's mistake (bad data, a malformed setting, a report that cannot be built) must end in a
located message and a non-zero exit, never a traceback. Every such exception derives from
``TroopclaimsError`` and says its own exit code, so the command line has one handler
(``cli.main``) instead of one per command. Anything else that escapes is a bug: an internal error.

This module imports nothing from the package, so any module can raise these without a cycle.
"""

from __future__ import annotations


class TroopclaimsError(Exception):
    """A failure the user can act on; its message says what and where.

    ``exit_code`` is 1 (the input or the state of the data) unless a subclass says otherwise.
    """

    exit_code: int = 1


class UsageError(TroopclaimsError):
    """A command-line value the user must change (argparse's convention: exit 2)."""

    exit_code = 2
