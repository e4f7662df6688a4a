"""Notifications: what the sink received, read from its raw delivery log.

Every POST is logged, accepted or not: a 503 while the sink is down is a delivery but not
an effect, and a retry is a delivery too, so readers filter on `accepted` themselves. How
many business effects the deliveries of one report make is the sink's own count, because
the sink plays the receiver and a receiver de-duplicates by Idempotency-Key.
"""

from __future__ import annotations

from stormproof.fixtures.sink import Delivery, NotificationSink


def deliveries(
    sink: NotificationSink, *, report_id: str | None = None, prefix: str | None = None
) -> list[Delivery]:
    """Raw deliveries in arrival order: of one report, or of every report whose id starts
    with `prefix` (a chaos run's tag), or all of them."""
    found = sink.deliveries
    if report_id is not None:
        found = [d for d in found if d.report_id == report_id]
    if prefix is not None:
        found = [d for d in found if d.report_id is not None and d.report_id.startswith(prefix)]
    return found


def notification_effects(sink: NotificationSink, report_id: str) -> int:
    """Distinct business effects the accepted deliveries of `report_id` make."""
    return sink.effects_for(report_id)
