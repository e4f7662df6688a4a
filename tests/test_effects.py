"""The judge's read side: metadata rows from SQLite and PostgreSQL, artifact paths, PDF text."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import psycopg
import pytest
from fpdf import FPDF

from stormproof.effects import (
    ArtifactError,
    metadata_rows,
    pdf_contains,
    pdf_text,
    report_pdf,
    story_artifact,
)
from stormproof.fixtures.errors import StormproofError
from stormproof.fixtures.fake_llm import reply_for
from stormproof.fixtures.postgres import PostgresCluster

CREATE = (
    "CREATE TABLE stormproof_reports (report_id TEXT PRIMARY KEY, workflow_id TEXT, "
    "pdf_path TEXT, attempt INTEGER, status TEXT)"
)


def test_sqlite_absent_file_or_table_means_no_rows(tmp_path: Path):
    db = tmp_path / "meta.db"
    assert metadata_rows(f"sqlite:///{db}") == []
    assert not db.exists()  # reading never creates the database
    sqlite3.connect(db).close()
    assert metadata_rows(f"sqlite:///{db}") == []


def test_sqlite_rows(tmp_path: Path):
    db = tmp_path / "meta.db"
    with sqlite3.connect(db) as conn:
        conn.execute(CREATE)
        conn.execute("INSERT INTO stormproof_reports VALUES ('r2', 'wf-2', '/p/r2.pdf', 2, 'ok')")
        conn.execute("INSERT INTO stormproof_reports VALUES ('r1', 'wf-1', '/p/r1.pdf', 1, 'ok')")
    rows = metadata_rows(f"sqlite:///{db}")
    assert [(r.report_id, r.workflow_id, r.attempt) for r in rows] == [
        ("r1", "wf-1", 1),
        ("r2", "wf-2", 2),
    ]
    assert rows[0].columns["status"] == "ok"
    assert metadata_rows(f"sqlite:////{str(db).lstrip('/')}", "r2")[0].pdf_path == "/p/r2.pdf"


def test_postgres_rows_and_absences(tmp_path: Path):
    with PostgresCluster(log_dir=tmp_path) as pg:
        assert metadata_rows(pg.url) == []
        missing_db = pg.url.rsplit("/", 1)[0] + "/no_such_db"
        assert metadata_rows(missing_db) == []
        pg.execute(CREATE)
        pg.execute("INSERT INTO stormproof_reports VALUES ('r1', 'wf-1', '/p/r1.pdf', 1, 'ok')")
        [row] = metadata_rows(pg.url, "r1")
        assert (row.report_id, row.pdf_path, row.attempt) == ("r1", "/p/r1.pdf", 1)
        assert metadata_rows(pg.url, "other") == []
        pg.stop()
        with pytest.raises(psycopg.OperationalError):  # a server that is down is not absence
            metadata_rows(pg.url)


def test_unknown_scheme_is_an_error():
    with pytest.raises(StormproofError, match="sqlite"):
        metadata_rows("mysql://x")


def test_artifact_paths(tmp_path: Path):
    assert story_artifact(tmp_path, "wf-1") == tmp_path / "stories" / "wf-1.md"
    assert report_pdf(tmp_path, "r-1") == tmp_path / "reports" / "r-1.pdf"
    with pytest.raises(StormproofError):
        report_pdf(tmp_path, "../escape")


def test_pdf_text_survives_line_wrapping(tmp_path: Path):
    reply = reply_for("[sp-abcdef123456] a report")
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=12)
    pdf.multi_cell(0, 6, reply)
    path = tmp_path / "r.pdf"
    pdf.output(str(path))
    assert reply.split(":")[0] in pdf_text(path)
    assert pdf_contains(path, reply)
    assert not pdf_contains(path, reply_for("another prompt"))


def test_invalid_pdfs_raise_a_clear_error(tmp_path: Path):
    with pytest.raises(ArtifactError, match="no such file"):
        pdf_text(tmp_path / "absent.pdf")
    text = tmp_path / "fake.pdf"
    text.write_text("this is a story, not a PDF")
    with pytest.raises(ArtifactError, match="not a PDF"):
        pdf_text(text)
    truncated = tmp_path / "truncated.pdf"
    truncated.write_bytes(b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog")
    with pytest.raises(ArtifactError, match="not a valid PDF"):
        pdf_text(truncated)
