"""The five source articles are the raw data: byte-identical to what was received."""

from __future__ import annotations

import hashlib

import raw_files

from troopclaims import config


def _manifest() -> dict[str, str]:
    entries = {}
    for line in config.ARTICLES_MANIFEST.read_text(encoding="utf-8").splitlines():
        digest, name = line.split(maxsplit=1)
        entries[name.lstrip("*")] = digest
    return entries


def test_every_article_matches_its_sha256() -> None:
    manifest = _manifest()
    assert len(manifest) == 5
    for name, digest in manifest.items():
        data = (config.RAW_ARTICLES_DIR / name).read_bytes()
        assert hashlib.sha256(data).hexdigest() == digest, f"{name} changed since it was received"


def test_manifest_lists_exactly_the_article_files() -> None:
    on_disk = {p.name for p in config.RAW_ARTICLES_DIR.glob("*.txt")}
    assert on_disk == set(_manifest())


def test_articles_csv_lists_every_article_file_once() -> None:

    articles = raw_files.read_raw_articles()
    assert sorted(articles["file"]) == sorted(_manifest())
    assert articles["article_id"].is_unique
