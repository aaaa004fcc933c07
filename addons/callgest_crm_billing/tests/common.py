def always_open(env, name="Always open", tz="UTC", **values):
    """Opening hours of every hour of every day: no call is out of hours."""
    return env["resource.calendar"].create(
        {
            "name": name,
            "tz": tz,
            "attendance_ids": [
                (
                    0,
                    0,
                    {
                        "name": f"Day {day}",
                        "dayofweek": str(day),
                        "hour_from": 0,
                        "hour_to": 24,
                    },
                )
                for day in range(7)
            ],
            **values,
        }
    )
