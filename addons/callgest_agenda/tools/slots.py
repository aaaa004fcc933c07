"""Free appointment slots, in plain Python (no Odoo).

Everything is an aware ``datetime`` in UTC; the caller converts to the
client's timezone for display only.

* A professional's **work** intervals are already cut by the client's
  holidays and his own absences (``resource.calendar`` does that).
* His **busy** intervals are his appointments, each widened by its type's
  buffer: ``[start, stop + buffer)``. Two busy intervals of one professional
  never overlap (PostgreSQL's exclusion constraint holds that).
* A **slot** of ``duration`` starts on the grid of its work interval (every
  ``step`` from the interval's start, so 9:00, 9:30, 10:00... whatever was
  booked before), lies inside the work interval, and its own
  ``[start, start + duration + buffer)`` meets no busy interval.

Stepping is in absolute time: on the night the clocks go forward, a grid
that starts at 01:00 local reaches 03:00 CEST after one hour; 02:30, which
does not exist, is never offered.
"""

import heapq
from bisect import bisect_right
from datetime import timedelta
from itertools import islice
from typing import NamedTuple


class Slot(NamedTuple):
    start: object
    stop: object
    resource_id: int


def merge(intervals):
    """Sorted, non-overlapping union of ``(start, stop)`` pairs; touching
    intervals are joined."""
    merged = []
    for start, stop in sorted(intervals):
        if stop <= start:
            continue
        if merged and start <= merged[-1][1]:
            if stop > merged[-1][1]:
                merged[-1] = (merged[-1][0], stop)
        else:
            merged.append((start, stop))
    return merged


def intersect(left, right):
    """Intersection of two lists of ``(start, stop)`` pairs, merged."""
    left, right = merge(left), merge(right)
    result, i, j = [], 0, 0
    while i < len(left) and j < len(right):
        start = max(left[i][0], right[j][0])
        stop = min(left[i][1], right[j][1])
        if start < stop:
            result.append((start, stop))
        if left[i][1] < right[j][1]:
            i += 1
        else:
            j += 1
    return result


def _overlaps_busy(busy_starts, busy, start, stop):
    """Whether ``[start, stop)`` meets one of ``busy`` (sorted, disjoint)."""
    index = bisect_right(busy_starts, start) - 1
    if index >= 0 and busy[index][1] > start:
        return True
    nxt = index + 1
    return nxt < len(busy) and busy[nxt][0] < stop


def resource_slots(
    resource_id,
    work,
    busy,
    duration,
    step,
    buffer=timedelta(0),
    earliest=None,
    latest=None,
):
    """Yield a professional's free ``Slot`` s in time order.

    :param work: ``(start, stop)`` pairs he works (any order, may touch).
    :param busy: ``(start, stop)`` pairs he is booked, buffer included.
    :param duration: ``timedelta`` of the appointment.
    :param step: ``timedelta`` between two slot starts on the grid.
    :param buffer: ``timedelta`` kept free after the appointment.
    :param earliest: first possible start (the notice), or ``None``.
    :param latest: last possible start (the horizon), or ``None``.
    """
    if duration <= timedelta(0) or step <= timedelta(0):
        raise ValueError("duration and step must be positive")
    busy = merge(busy)
    busy_starts = [start for start, _stop in busy]
    for work_start, work_stop in merge(work):
        start = work_start
        if earliest is not None and start < earliest:
            # jump to the first grid point at or after `earliest`
            missed = -((work_start - earliest) // step)
            start = work_start + missed * step
        while start + duration <= work_stop:
            if latest is not None and start > latest:
                return
            if not _overlaps_busy(busy_starts, busy, start, start + duration + buffer):
                yield Slot(start, start + duration, resource_id)
            start += step


def first_slots(
    per_resource,
    duration,
    step,
    buffer=timedelta(0),
    earliest=None,
    latest=None,
    limit=10,
):
    """The first ``limit`` free slots across professionals, earliest first
    (ties in the order of ``per_resource``).

    :param per_resource: ``[(resource_id, work, busy), ...]``.
    """
    streams = [
        (
            (slot.start, order, slot)
            for slot in resource_slots(
                resource_id, work, busy, duration, step, buffer, earliest, latest
            )
        )
        for order, (resource_id, work, busy) in enumerate(per_resource)
    ]
    return [slot for _start, _order, slot in islice(heapq.merge(*streams), limit)]


def is_free(work, busy, start, duration, buffer=timedelta(0)):
    """Whether one appointment ``[start, start + duration)`` fits in ``work``
    and, with its buffer, meets nothing ``busy``: the check of a slot chosen
    by hand (which need not lie on the grid)."""
    stop = start + duration
    inside = any(ws <= start and stop <= we for ws, we in merge(work))
    if not inside:
        return False
    busy = merge(busy)
    return not _overlaps_busy([s for s, _e in busy], busy, start, stop + buffer)
