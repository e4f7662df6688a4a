"""The observer reads an adapter's effects from their sources and attributes each to a unit.

Files by the adapter's glob, rows by its query (SQLite here; PostgreSQL in chaos, through
the same binding of `:tag` and `:like`), each instance owned by the workflow id it names.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from stormproof.adapter import Files, Rows
from stormproof.chaos.observe import files, rows_of
from stormproof.effects.rows import query_rows


def test_files_by_glob_skip_temporary_and_foreign(tmp_path: Path) -> None:
    (tmp_path / "out").mkdir()
    for name in ("t1-a1.md", "t1-a1.md.tmp", "other-a2.md", "t1-a3.md"):
        (tmp_path / "out" / name).write_text("x")
    found = files(tmp_path, Files(glob="out/{workflow_id}.md"), "t1")
    assert [(o.owner, o.what) for o in found] == [
        ("t1-a1", "out/t1-a1.md"),
        ("t1-a3", "out/t1-a3.md"),
    ]


def test_rows_by_query_with_the_run_tag(tmp_path: Path) -> None:
    db = tmp_path / "team.db"
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE replies (workflow_id TEXT, body TEXT)")
        conn.executemany(
            "INSERT INTO replies VALUES (?, ?)",
            [("t1-a1", "x"), ("t1-a1", "again"), ("t2-a1", "another run")],
        )
    effect = Rows(query="SELECT workflow_id FROM replies WHERE workflow_id LIKE :like")
    found = rows_of(f"sqlite:///{db}", effect, "t1")
    assert [o.owner for o in found] == ["t1-a1", "t1-a1"]  # the duplicate is counted


def test_missing_database_or_table_is_no_rows(tmp_path: Path) -> None:
    query = "SELECT workflow_id FROM replies WHERE workflow_id LIKE :like"
    assert query_rows(f"sqlite:///{tmp_path / 'none.db'}", query, {"tag": "t1"}) == []
    sqlite3.connect(tmp_path / "empty.db").close()
    assert query_rows(f"sqlite:///{tmp_path / 'empty.db'}", query, {"tag": "t1"}) == []
