"""`stormproof doctor`: staged diagnosis of a Temporal target and the worker on it.

checks.py runs the stages in order (network.py: DNS, TCP, TLS, HTTP/2; service.py:
authentication, namespace; worker_checks.py: pollers, PingWorkflow, LLM credentials),
report.py renders the result, cli.py is the command.
"""

from stormproof.doctor.checks import STAGE_NAMES, run_doctor
from stormproof.doctor.models import DoctorCheck, DoctorOptions, DoctorReport, Status

__all__ = ["STAGE_NAMES", "DoctorCheck", "DoctorOptions", "DoctorReport", "Status", "run_doctor"]
