"""data/README.md documents every column and every controlled value the contract allows."""

from __future__ import annotations

import pytest

from troopclaims import config, contract

DICTIONARY = (config.DATA_DIR / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "column",
    sorted(
        set(contract.CLAIM_COLUMNS)
        | set(contract.ARTICLE_COLUMNS)
        | set(contract.UNCLAIMED_COLUMNS)
    ),
)
def test_every_column_is_documented(column: str) -> None:
    assert f"`{column}`" in DICTIONARY


def _all_values() -> list[str]:
    vocabularies = [
        *contract.CLAIM_VOCABULARIES.values(),
        contract.LANGUAGES,
        *contract.CATEGORIES.values(),
    ]
    return sorted({value for vocab in vocabularies for value in vocab})


@pytest.mark.parametrize("value", _all_values())
def test_every_controlled_value_is_documented(value: str) -> None:
    assert f"`{value}`" in DICTIONARY
