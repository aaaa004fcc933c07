from odoo import fields, models

# Keeps resource_booking's bookings and this table in step, whatever writes
# the booking (the ORM, a calendar drag that recomputes its start, SQL): one
# row per booked professional while the booking is active and scheduled.
SYNC_FUNCTION = """
CREATE OR REPLACE FUNCTION callgest_agenda_sync_busy() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM callgest_agenda_busy WHERE booking_id = NEW.id;
    IF NEW.active AND NEW.start IS NOT NULL AND NEW.stop IS NOT NULL
       AND NEW.combination_id IS NOT NULL THEN
        INSERT INTO callgest_agenda_busy (booking_id, resource_id, start, stop)
        SELECT NEW.id, rel.resource_resource_id, NEW.start,
               NEW.stop + make_interval(
                   mins => COALESCE(booking_type.callgest_buffer_minutes, 0))
          FROM resource_booking_combination_resource_resource_rel rel
          LEFT JOIN resource_booking_type booking_type
                 ON booking_type.id = NEW.type_id
         WHERE rel.resource_booking_combination_id = NEW.combination_id;
    END IF;
    RETURN NULL;
END;
$$;
DROP TRIGGER IF EXISTS callgest_agenda_sync_busy ON resource_booking;
CREATE TRIGGER callgest_agenda_sync_busy
AFTER INSERT OR UPDATE OF active, start, stop, combination_id, type_id
ON resource_booking
FOR EACH ROW EXECUTE FUNCTION callgest_agenda_sync_busy();
"""


class CallgestAgendaBusy(models.Model):
    """The time a professional is booked, as PostgreSQL guards it.

    Written only by the trigger on ``resource_booking``; read by the slot
    search in one query. The exclusion constraint is what makes a double
    booking impossible, even for two transactions at the same instant: the
    second waits for the first and fails if it commits.
    """

    _name = "callgest.agenda.busy"
    _description = "CallGest agenda: booked time of a professional"
    _log_access = False

    booking_id = fields.Many2one(
        "resource.booking", required=True, index=True, ondelete="cascade"
    )
    resource_id = fields.Many2one(
        "resource.resource", required=True, ondelete="cascade"
    )
    start = fields.Datetime(required=True)
    stop = fields.Datetime(required=True, help="End of the booking plus its buffer.")

    _sql_constraints = [
        (
            "no_double_booking",
            "EXCLUDE USING gist (resource_id WITH =, tsrange(start, stop) WITH &&)",
            "This professional already has an appointment at that time.",
        ),
    ]

    def init(self):
        self.env.cr.execute(SYNC_FUNCTION)
