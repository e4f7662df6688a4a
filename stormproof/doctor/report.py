"""Rendering a DoctorReport: a table with one mark per check, or JSON for machines.

The table puts the fix directly under the failing check because that line is what a user
reading a CI log acts on; JSON carries the same models so pipelines can branch on `code`.
"""

from __future__ import annotations

import json
import sys
import textwrap

from stormproof.doctor.models import DoctorReport, Status

MARKS = {Status.PASS: "✔", Status.FAIL: "✘", Status.SKIP: "○"}
ASCII_MARKS = {Status.PASS: "ok", Status.FAIL: "XX", Status.SKIP: "--"}


def _marks() -> dict[Status, str]:
    encoding = getattr(sys.stdout, "encoding", None) or "ascii"
    try:
        "".join(MARKS.values()).encode(encoding)
    except (UnicodeEncodeError, LookupError):
        return ASCII_MARKS
    return MARKS


def render_table(report: DoctorReport, width: int = 100) -> str:
    marks = _marks()
    target = report.target
    extras = [
        f"tls={'on' if target.tls else 'off'}",
        *(
            f"{k}={v}"
            for k, v in (
                ("ca", target.ca),
                ("cert", target.client_cert),
                ("server-name", target.server_name),
                ("api-key", target.api_key),
                ("profile", target.profile),
            )
            if v
        ),
    ]
    lines = [
        f"stormproof doctor: {target.address or '(no address)'}  namespace={target.namespace}"
        f"  task-queue={target.task_queue or '(none)'}",
        "  " + "  ".join(extras),
        "",
        f"   {'check':<16} {'status':<6} {'time':>7}  diagnosis",
    ]
    indent = " " * 36
    for check in report.checks:
        head = f" {marks[check.status]:<2} {check.name:<16} {check.status.value:<6} "
        head += f"{check.elapsed:>6.2f}s  "
        body = textwrap.wrap(check.diagnosis, width - len(head)) or [""]
        lines.append(head + body[0])
        lines.extend(indent + more for more in body[1:])
        if check.fix and check.status is Status.FAIL:
            fix = textwrap.wrap(f"fix: {check.fix}", width - len(indent))
            lines.extend(indent + part for part in fix)
    failure = report.first_failure
    lines.append("")
    lines.append(
        "result: all checks passed"
        if failure is None
        else f"result: FAILED at {failure.name} [{failure.code}]"
    )
    return "\n".join(lines)


def render_json(report: DoctorReport) -> str:
    payload = report.model_dump(mode="json")
    payload["ok"] = report.ok
    payload["exit_code"] = report.exit_code
    return json.dumps(payload, indent=2)
