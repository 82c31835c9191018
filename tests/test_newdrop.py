"""``troopclaims new-drop``: a drop folder to fill in, built whole or not at all.

The inputs come from outside: every refusal must exit 1 with a located message and leave no
folder (not even a temporary one) behind. The end-to-end test fills in what new-drop left empty
and checks that validation then passes.
"""

from __future__ import annotations

import csv
import os
import re
import shlex
import shutil
from pathlib import Path

import pandas as pd
import pytest

from troopclaims import cli, config, contract
from troopclaims.checks import validate
from troopclaims.store import newdrop, process

FIXTURE_TEXT = (
    Path(__file__).parent / "fixtures" / "drops" / "valid" / "articles" / "900_fixture.txt"
)
FIXTURE_QUOTE = "environ 3 000 soldats nord-coréens seraient arrivés en Russie"


@pytest.fixture(autouse=True)
def _summaries_to_tmp(tmp_path: Path, monkeypatch) -> None:
    """Validation summaries of test runs go to a scratch folder, not the real reports/."""
    monkeypatch.setattr(config, "VALIDATION_DIR", tmp_path / "validation")


@pytest.fixture
def inputs(tmp_path: Path) -> Path:
    """A folder of article texts as a contributor might send them."""
    folder = tmp_path / "incoming"
    folder.mkdir()
    shutil.copyfile(FIXTURE_TEXT, folder / "900_fixture.txt")
    (folder / "Été à Séoul (copie).txt").write_bytes(
        "북한군 러시아 파병\n\n국정원은 북한군 1500명이 러시아에 있다고 밝혔다.\r\n".encode()
    )
    (folder / "kyiv").write_bytes("Новини\n\nУкраїна і Європа: є реакція.\n".encode())
    return folder


def read_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def leftovers(parent: Path) -> list[str]:
    """Everything under ``parent`` (hidden temporary folders included)."""
    return sorted(p.name for p in parent.iterdir()) if parent.exists() else []


def test_creates_the_folder_with_the_bytes_ids_and_headers(inputs: Path, tmp_path: Path) -> None:
    sources = [inputs / "900_fixture.txt", inputs / "Été à Séoul (copie).txt", inputs / "kyiv"]
    drop = newdrop.new_drop("oct-2024.b", sources, parent=tmp_path / "drops")

    assert drop.folder == tmp_path / "drops" / "oct-2024.b"
    assert leftovers(tmp_path / "drops") == ["oct-2024.b"]
    assert sorted(p.name for p in drop.folder.iterdir()) == [
        "articles",
        "articles.csv",
        "claims.csv",
    ]
    rows = read_rows(drop.articles_csv)
    assert [r["article_id"] for r in rows] == ["oct-2024.b-A01", "oct-2024.b-A02", "oct-2024.b-A03"]
    assert [r["file"] for r in rows] == ["900_fixture.txt", "Ete_a_Seoul_copie_.txt", "kyiv.txt"]
    for row, source in zip(rows, sources, strict=True):
        assert re.fullmatch(contract.ID_PATTERN, row["article_id"])
        assert re.fullmatch(contract.FILE_PATTERN, row["file"])
        assert (drop.folder / "articles" / row["file"]).read_bytes() == source.read_bytes()
    assert sorted(p.name for p in (drop.folder / "articles").iterdir()) == sorted(
        r["file"] for r in rows
    )

    # Only what is known: ids, files, a language the script decides; the rest is the curator's.
    assert [r["language"] for r in rows] == ["", "ko", "uk"]
    for row in rows:
        for column in ("title", "outlet", "published_date", "date_precision", "date_basis", "url"):
            assert row[column] == "", column
    assert rows[0]["note"] == ""
    assert rows[1]["note"].startswith(newdrop.LANGUAGE_NOTE)
    assert "'Été à Séoul (copie).txt'" in rows[1]["note"]

    raw = drop.articles_csv.read_bytes()
    assert raw.startswith(",".join(contract.ARTICLE_COLUMNS).encode() + b"\n")
    assert b"\r" not in raw and not raw.startswith(b"\xef\xbb\xbf")
    assert drop.claims_csv.read_bytes() == (",".join(contract.CLAIM_COLUMNS) + "\n").encode()


def test_default_parent_is_drops_in_the_working_directory(
    inputs: Path, tmp_path: Path, monkeypatch
) -> None:
    monkeypatch.chdir(tmp_path)
    drop = newdrop.new_drop("here", [inputs / "kyiv"])
    assert drop.folder == Path("drops") / "here"
    assert (tmp_path / "drops" / "here" / "articles" / "kyiv.txt").is_file()


def test_file_names_are_sanitised_without_collisions() -> None:
    taken: set[str] = set()
    names = []
    for name in ("a b.txt", "a_b.txt", "A B.TXT", "..hidden..txt", "-x.md", "日本.txt", "ok.txt"):
        names.append(newdrop.safe_file_name(name, taken))
        taken.add(names[-1].lower())
    assert names == [
        "a_b.txt",
        "a_b_2.txt",
        "A_B_3.txt",
        "hidden.txt",
        "x.md.txt",
        "article.txt",
        "ok.txt",
    ]
    assert all(re.fullmatch(contract.FILE_PATTERN, n) for n in names)
    assert newdrop.safe_file_name("...", set()) == "article.txt"


def test_long_names_give_valid_distinct_ids_with_room_for_claims() -> None:
    name = "n" * 64
    ids = newdrop.article_ids(name, 120)
    assert len(set(ids)) == 120 and ids[0].endswith("-A001")
    assert ids != newdrop.article_ids("n" * 63 + "m", 120)  # cut names stay apart
    for article_id in ids:
        assert len(article_id) <= newdrop.MAX_ARTICLE_ID_CHARS
        assert re.fullmatch(contract.ID_PATTERN, f"{article_id}-99")


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Le renseignement sud-coréen", ""),
        ("Южная Корея и Россия", ""),  # no letter only Russian has: the curator's call
        ("Северная Корея отправила в Россию полторы тысячи военных", "ru"),  # ы
        ("Это её решение", "ru"),  # э, ё
        ("Україна і Європа", "uk"),
        ("Україна заявила: «Это решение России»", ""),  # both: a quotation, the curator's call
        ("북한군 파병 (NIS)", "ko"),
        ("NIS said 북한", ""),  # mostly Latin
        ("1234", ""),
    ],
)
def test_language_is_inferred_only_from_the_script(text: str, language: str) -> None:
    assert newdrop.infer_language(text) == language


def refused(argv: list[str], capsys) -> str:
    """Run the CLI expecting a refusal: exit 1, no traceback; return stderr."""
    assert cli.main(argv) == 1
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err and captured.out == ""
    assert "no drop folder was created." in captured.err
    return captured.err


def test_refuses_an_existing_folder_and_leaves_it_alone(
    inputs: Path, tmp_path: Path, capsys
) -> None:
    parent = tmp_path / "drops"
    (parent / "taken").mkdir(parents=True)
    (parent / "taken" / "mine.txt").write_text("keep me", encoding="utf-8")
    err = refused(["new-drop", "taken", str(inputs / "kyiv"), "--into", str(parent)], capsys)
    assert "already exists" in err
    assert leftovers(parent) == ["taken"]
    assert leftovers(parent / "taken") == ["mine.txt"]


@pytest.mark.parametrize("name", ["../up", "a/b", "-dash", ".hidden", "", "é", "x" * 65, "a\n"])
def test_refuses_a_bad_name(name: str, inputs: Path, tmp_path: Path, capsys) -> None:
    argv = ["new-drop", "--into", str(tmp_path / "d"), "--", name, str(inputs / "kyiv")]
    err = refused(argv, capsys)
    assert "ERROR NAME" in err and "drop name" in err
    assert not (tmp_path / "d").exists() and not (tmp_path / "up").exists()


def test_refuses_a_folder_under_data(inputs: Path, tmp_path: Path, monkeypatch, capsys) -> None:
    scratch = tmp_path / "project" / "data"
    (scratch / "raw").mkdir(parents=True)
    monkeypatch.setattr(config, "DATA_DIR", scratch)
    monkeypatch.setattr(config, "RAW_DIR", scratch / "raw")
    for into in (scratch / "raw", scratch / "raw" / "drops", scratch / "processed"):
        err = refused(["new-drop", "x", str(inputs / "kyiv"), "--into", str(into)], capsys)
        assert "never created under data/" in err
    assert leftovers(scratch) == ["raw"] and leftovers(scratch / "raw") == []


def test_refuses_the_name_of_an_ingested_drop(
    inputs: Path, tmp_path: Path, monkeypatch, capsys
) -> None:
    raw = tmp_path / "project" / "data" / "raw"
    (raw / "drops" / "oct").mkdir(parents=True)
    monkeypatch.setattr(config, "RAW_DIR", raw)
    err = refused(["new-drop", "oct", str(inputs / "kyiv"), "--into", str(tmp_path / "d")], capsys)
    assert "already in data/raw/drops/" in err
    assert not (tmp_path / "d").exists()


def make_symlink(folder: Path) -> Path:
    (folder / "link.txt").symlink_to(folder / "kyiv")
    return folder / "link.txt"


def make_fifo(folder: Path) -> Path:
    os.mkfifo(folder / "pipe.txt")
    return folder / "pipe.txt"


def make_oversize(folder: Path) -> Path:
    path = folder / "big.txt"
    path.write_bytes(b"a" * (newdrop.MAX_ARTICLE_BYTES + 1))
    return path


def make_latin1(folder: Path) -> Path:
    path = folder / "latin1.txt"
    path.write_bytes("Premiere ligne\nL'été à Séoul\n".encode("latin-1"))
    return path


def make_nul(folder: Path) -> Path:
    path = folder / "nul.txt"
    path.write_bytes(b"text\nmore\x00text\n")
    return path


def make_folder(folder: Path) -> Path:
    (folder / "sub.txt").mkdir()
    return folder / "sub.txt"


def make_empty(folder: Path) -> Path:
    (folder / "empty.txt").write_bytes(b" \n\n")
    return folder / "empty.txt"


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (make_symlink, "link.txt: is a symbolic link"),
        (make_fifo, "pipe.txt: is a FIFO"),
        (
            make_oversize,
            "big.txt: is 5,000,001 bytes: an article text may be at most 5,000,000 bytes",
        ),
        (make_latin1, "latin1.txt:2: is not valid UTF-8 (bytes e9 74 e9 20 at byte 17)"),
        (make_nul, "nul.txt:2: contains NUL bytes"),
        (make_folder, "sub.txt: is a folder"),
        (make_empty, "empty.txt: is empty"),
    ],
)
def test_refuses_an_unsafe_or_non_text_input(
    make, message: str, inputs: Path, tmp_path: Path, capsys
) -> None:
    bad = make(inputs)
    parent = tmp_path / "drops"
    argv = ["new-drop", "d", str(inputs / "kyiv"), str(bad), "--into", str(parent)]
    err = refused(argv, capsys)
    assert f"ERROR {bad.parent}/{message}" in err
    assert leftovers(parent) == []  # no folder, no temporary folder


def test_every_problem_is_reported_at_once(inputs: Path, tmp_path: Path, capsys) -> None:
    argv = ["new-drop", "d", str(inputs / "missing.txt"), "/dev/null", str(inputs / "kyiv")]
    argv += [str(inputs / "kyiv"), "--into", str(tmp_path / "drops")]
    err = refused(argv, capsys)
    assert "missing.txt: file not found" in err
    assert "/dev/null: is a character device" in err
    assert "has the same bytes as" in err
    assert not (tmp_path / "drops").exists()


def test_a_failure_while_writing_leaves_nothing(inputs: Path, tmp_path: Path, monkeypatch) -> None:
    def disk_full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(newdrop, "_write_csv", disk_full)
    with pytest.raises(OSError, match="No space"):
        newdrop.new_drop("d", [inputs / "kyiv"], parent=tmp_path / "drops")
    assert leftovers(tmp_path / "drops") == []


def test_cli_prints_the_files_and_what_to_fill_in(inputs: Path, tmp_path: Path, capsys) -> None:
    parent = tmp_path / "drops"
    argv = ["new-drop", "oct", str(inputs / "900_fixture.txt"), str(inputs / "kyiv")]
    assert cli.main([*argv, "--into", str(parent)]) == 0
    out = "".join(capsys.readouterr())
    folder = parent / "oct"
    assert out.startswith(f"created {folder}/")
    for expected in (
        "articles.csv   2 article(s): oct-A01, oct-A02",
        "claims.csv     header only",
        f"articles/kyiv.txt         <- {inputs / 'kyiv'}  (oct-A02)",
        "What to fill in",
        "oct-A01 (900_fixture.txt): title, outlet, language, published_date, date_precision,",
        "oct-A02 (kyiv.txt): title, outlet, published_date, date_precision, date_basis, url",
        "check language 'uk', inferred from the script",
        "its first line: 'Article de test inventé",
        "  2. claims.csv: one row per claim",
        "oct-A01-01",
        f"  3. troopclaims validate {folder}",
        f"ingest DROP={folder}",
        "report",
    ):
        assert expected in out, expected
    steps = [line.split(".")[0].strip() for line in out.splitlines() if re.match(r"  \d\. ", line)]
    assert steps == ["1", "2", "3", "4", "5"]


def _new_filled_drop(
    tmp_path: Path, monkeypatch, capsys, dated: dict[str, str] | None = None
) -> tuple[Path, dict[str, str]]:
    """The loop as a curator runs it: new-drop, then fill the empty cells and a claim (and, for
    a ``dated`` article, its date cells); returns the folder and the article's row."""
    monkeypatch.chdir(tmp_path)
    shutil.copyfile(FIXTURE_TEXT, tmp_path / "article.txt")
    assert cli.main(["new-drop", "e2e-fixture", "article.txt"]) == 0
    capsys.readouterr()
    folder = tmp_path / "drops" / "e2e-fixture"

    [row] = read_rows(folder / "articles.csv")
    row.update(
        title="Article de test inventé pour la suite de tests de troopclaims",
        outlet="unknown",
        language="fr",
        date_precision="unknown",
        date_basis="unknown",
        note="Invented for the test suite.",
    )
    row.update(dated or {})
    claim = dict.fromkeys(contract.CLAIM_COLUMNS, "")
    claim.update(
        claim_id=f"{row['article_id']}-01",
        article_id=row["article_id"],
        claimant="le renseignement sud-coréen",
        claimant_group="South Korea",
        kind="troop_estimate",
        category="already_in_russia",
        figure="3000",
        unit="soldiers",
        qualifier="about",
        date_precision="unknown",
        date_basis="unknown",
        quote=FIXTURE_QUOTE,
    )
    reaction = dict(claim)
    reaction.update(
        claim_id=f"{row['article_id']}-02",
        claimant="le ministère",
        kind="response",
        category="concern",
        figure="",
        unit="",
        qualifier="",
        anchor_claim_id="A003-03",  # the NIS statement of Friday 18 October 2024
        note="Reacts to the NIS statement A003-03.",
    )
    for name, columns, rows in (
        ("articles.csv", contract.ARTICLE_COLUMNS, [row]),
        ("claims.csv", contract.CLAIM_COLUMNS, [claim, reaction]),
    ):
        with (folder / name).open("w", encoding="utf-8", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=list(columns), lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
    return folder, row


def test_new_drop_then_fill_in_then_validate_passes(tmp_path: Path, monkeypatch, capsys) -> None:
    _new_filled_drop(tmp_path, monkeypatch, capsys)
    code = cli.main(["validate", "drops/e2e-fixture"])
    out = "".join(capsys.readouterr())
    assert code == 0, out
    assert "validation PASSED" in out


def test_a_drop_whose_article_is_dated_gets_derived_bounds(
    tmp_path: Path, monkeypatch, capsys
) -> None:
    """Issue 15: an article dated 23 October bounds every claim it reports from above, and a
    reaction to the NIS statement of 18 October is bounded below by it: the processed claims
    carry both, with reasons naming the article and the anchor."""
    dated = {"published_date": "2024-10-23", "date_precision": "day", "date_basis": "stated"}
    folder, row = _new_filled_drop(tmp_path, monkeypatch, capsys, dated)
    assert cli.main(["validate", "drops/e2e-fixture"]) == 0, "".join(capsys.readouterr())
    report, raw_claims, raw_articles = validate.read_and_validate(
        validate.candidate_sources(folder)
    )
    assert report.ok
    built = process.build_claims_table(
        process.type_claims(raw_claims), process.type_articles(raw_articles)
    ).set_index("claim_id")
    article = row["article_id"]
    estimate, reaction = built.loc[f"{article}-01"], built.loc[f"{article}-02"]
    assert pd.isna(estimate["derived_earliest"])
    assert estimate["derived_latest"] == pd.Timestamp("2024-10-23")
    assert estimate["derived_latest_reason"] == f"the date of its article {article}"
    assert estimate["derived_precision"] == "bounded"
    assert reaction["derived_earliest"] == pd.Timestamp("2024-10-18")
    assert reaction["derived_latest"] == pd.Timestamp("2024-10-23")
    assert reaction["derived_earliest_reason"] == "reacts to A003-03, made on 2024-10-18"
    assert pd.isna(reaction["derived_date"])


# --- Issue 16 item 9: a typed value is a name or a path, never an option or a control ------------


@pytest.mark.parametrize("name", ["--into=/x", "--help", "-h"])
def test_a_name_that_looks_like_an_option_is_a_refused_name(
    name: str, inputs: Path, tmp_path: Path, capsys
) -> None:
    """After `--` (as the Makefile passes it) an option-like NAME is a name, and refused as one:
    `--help` does not exit 0 and `--into=/x` does not choose the folder."""
    argv = ["new-drop", "--into", str(tmp_path / "d"), "--", name, str(inputs / "kyiv")]
    err = refused(argv, capsys)
    assert "ERROR NAME" in err and "drop name" in err
    assert not (tmp_path / "d").exists() and not Path("/x").exists()


@pytest.mark.parametrize(
    ("option", "label"),
    [("into", "INTO"), ("article", "ARTICLE")],
)
@pytest.mark.parametrize("control", ["\n", "\x1b[31m", "\t", "\x7f"])
def test_a_typed_path_with_a_control_character_is_refused_before_anything(
    option: str, label: str, control: str, inputs: Path, tmp_path: Path, capsys
) -> None:
    """The Python side of the Makefile's `no_control`, for whoever calls troopclaims directly:
    exit 2 and the same message, and no folder named with a line break or an ESC."""
    odd = tmp_path / f"o{control}x"
    if option == "article":
        odd.write_bytes((inputs / "kyiv").read_bytes())
        argv = ["new-drop", "--into", str(tmp_path / "d"), "--", "fine", str(odd)]
    else:
        argv = ["new-drop", "--into", str(odd), "--", "fine", str(inputs / "kyiv")]
    assert cli.main(argv) == 2
    err = capsys.readouterr().err
    assert err.splitlines()[0] == (
        f"ERROR {label} holds a control character (line break, tab, escape...): give the path "
        "on one line, as plain text"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == (
        ["incoming", odd.name] if option == "article" else ["incoming"]
    )


@pytest.mark.parametrize("command", ["validate", "ingest"])
def test_a_drop_or_json_path_with_a_control_character_is_refused(command: str, capsys) -> None:
    argv = [command, "--", "drops/x\n\x1b]0;title\x07"]
    assert cli.main(argv) == 2
    assert capsys.readouterr().err.startswith("ERROR DROP holds a control character")
    if command == "validate":
        assert cli.main(["validate", "--json", "out\n.json"]) == 2
        assert capsys.readouterr().err.startswith("ERROR JSON holds a control character")


def test_the_printed_commands_quote_a_path_once(inputs: Path, tmp_path: Path, capsys) -> None:
    """A folder with a space: each command printed must work when pasted into a shell."""
    parent = tmp_path / "my drops"
    assert cli.main(["new-drop", "oct", str(inputs / "kyiv"), "--into", str(parent)]) == 0
    out = capsys.readouterr().out
    [validate_line] = [line for line in out.splitlines() if "troopclaims validate" in line]
    [ingest_line] = [line for line in out.splitlines() if " ingest DROP=" in line]
    [draft_line] = [line for line in out.splitlines() if "troopclaims draft" in line]
    assert shlex.split(validate_line)[-1] == str(parent / "oct")
    assert shlex.split(ingest_line)[-1] == f"DROP={parent / 'oct'}"
    assert shlex.split(draft_line.split("(")[0])[-1] == str(parent / "oct")


@pytest.mark.parametrize("under", ["a.txt", "a.txt/sub"])
def test_a_path_through_a_file_is_refused_naming_it(
    under: str, inputs: Path, tmp_path: Path, capsys
) -> None:
    (tmp_path / "a.txt").write_text("x", encoding="utf-8")
    err = refused(
        ["new-drop", "oct", str(inputs / "kyiv"), "--into", str(tmp_path / under)], capsys
    )
    assert f"{tmp_path / 'a.txt'}: is not a folder" in err
    assert (tmp_path / "a.txt").read_text(encoding="utf-8") == "x"
