"""Work on deliveries in a process of its own, for the tests that need a
second OS process on committed data (test_delivery_kill.py):

    python delivery_worker.py job <job uuid> <odoo options...>
        run the queued job the way queue_job's controller does (the kill
        test SIGKILLs it while the local gateway holds its answer);
    python delivery_worker.py sent <delivery id>,<delivery id>... <odoo options...>
        commit each delivery's outcome "sent" as its job does after sending,
        all at once, one thread and database connection each.

Not an Odoo module (tests/__init__.py does not import it).
"""

import sys
import threading


def main():
    action, target, options = sys.argv[1], sys.argv[2], sys.argv[3:]
    import odoo  # noqa: PLC0415 - after the arguments, as odoo-bin does
    from odoo.tools import config  # noqa: PLC0415

    config.parse_config(options, setup_logging=False)
    from odoo.modules.registry import Registry  # noqa: PLC0415

    registry = Registry(config["db_name"])
    from odoo.addons.queue_job.controllers.main import (  # noqa: PLC0415
        RunJobController,
    )

    if action == "sent":
        failures = []

        def record_sent(delivery_id):
            try:
                with registry.cursor() as cr:
                    env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
                    delivery = env["callgest.delivery"].browse(delivery_id)
                    delivery._commit_outcome("_record_sent", "sms-worker", None)
            except Exception as error:  # noqa: BLE001 - the exit status says it
                failures.append(repr(error))

        threads = [
            threading.Thread(target=record_sent, args=(int(delivery_id),))
            for delivery_id in target.split(",")
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        sys.exit("\n".join(failures) or None)
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        job = RunJobController._acquire_job(env, target)
        if job is None:
            sys.exit(f"job {target} could not be acquired")
        RunJobController._runjob(env, job)


if __name__ == "__main__":
    main()
