"""When deliveries are due: digest times and retry backoff. No ORM here."""

import re
from datetime import datetime, time, timedelta

import pytz

_TIME = re.compile(r"^([01]?\d|2[0-3])[:.h]([0-5]\d)$")


def parse_digest_times(text):
    """``"13:00, 18:00"`` → ``[time(13, 0), time(18, 0)]``, sorted, unique.

    :raise ValueError: on anything that is not a list of HH:MM times.
    """
    times = set()
    for chunk in re.split(r"[,;\s]+", (text or "").strip()):
        if not chunk:
            continue
        match = _TIME.match(chunk)
        if not match:
            raise ValueError(chunk)
        times.add(time(int(match.group(1)), int(match.group(2))))
    if not times:
        raise ValueError(text)
    return sorted(times)


def next_digest_at(now_utc, digest_times, tz_name):
    """The first digest time strictly after ``now_utc``, as a naive UTC datetime.

    ``digest_times`` are wall-clock times in the client's timezone, so a
    13:00 digest stays at 13:00 across daylight-saving changes.
    """
    tz = pytz.timezone(tz_name or "UTC")
    now_local = pytz.utc.localize(now_utc).astimezone(tz)
    for day_offset in range(0, 3):
        day = now_local.date() + timedelta(days=day_offset)
        for moment in digest_times:
            local = tz.localize(datetime.combine(day, moment))
            if local > now_local:
                return local.astimezone(pytz.utc).replace(tzinfo=None)
    raise ValueError("no digest time")


def retry_delay(attempts, base_minutes=1, cap_minutes=360):
    """Exponential backoff after ``attempts`` failed attempts: 1, 2, 4, 8... min."""
    minutes = base_minutes * (2 ** max(attempts - 1, 0))
    return timedelta(minutes=min(minutes, cap_minutes))
