"""`create_pdf`: the report as a PDF at `<artifact dir>/reports/<report_id>.pdf`.

The text is set in a core font (Helvetica), which every PDF reader has and whose text
pypdf extracts reliably; core fonts only cover latin-1, so other characters are mapped to
close ASCII equivalents or replaced. The fake LLM answers in ASCII, so the judge always
finds the reply in the extracted text.
"""

from __future__ import annotations

import asyncio

from fpdf import FPDF
from temporalio import activity

from stormproof.reference.activities.files import artifact_path, atomic_write_bytes
from stormproof.reference.models import CreatePdfInput, CreatePdfOutput
from stormproof.reference.settings import WorkerSettings

# Typographic characters LLMs love, mapped to what a core font can show.
_ASCII_EQUIVALENTS = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u2013": "-",
        "\u2014": "-",
        "\u2026": "...",
        "\u00a0": " ",
    }
)


def to_latin1(text: str) -> str:
    """Make `text` printable with a core font without raising on exotic characters."""
    return text.translate(_ASCII_EQUIVALENTS).encode("latin-1", "replace").decode("latin-1")


def render_pdf(report_id: str, text: str) -> bytes:
    """A one-column PDF: the report id as a heading, then the reply, wrapped at words."""
    pdf = FPDF(format="A4")
    pdf.set_title(to_latin1(f"Report {report_id}"))
    pdf.add_page()
    pdf.set_font("Helvetica", style="B", size=14)
    pdf.multi_cell(0, 8, to_latin1(f"Report {report_id}"), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font("Helvetica", size=11)
    pdf.multi_cell(0, 6, to_latin1(text), new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


class PdfActivities:
    def __init__(self, settings: WorkerSettings) -> None:
        self._reports = settings.artifact_dir / "reports"

    @activity.defn(name="create_pdf")
    async def create_pdf(self, request: CreatePdfInput) -> CreatePdfOutput:
        path = artifact_path(self._reports, request.report_id, ".pdf")
        # Layout and disk writes are CPU/IO bound: run them in a thread so the worker keeps
        # polling and heartbeating other activities meanwhile.
        data = await asyncio.to_thread(render_pdf, request.report_id, request.text)
        await asyncio.to_thread(atomic_write_bytes, path, data)
        return CreatePdfOutput(pdf_path=str(path), attempt=activity.info().attempt)
