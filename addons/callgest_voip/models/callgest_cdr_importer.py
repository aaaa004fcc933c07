import csv
import hashlib
import logging
import time
from collections import defaultdict
from operator import itemgetter
from typing import NamedTuple

import psycopg2
import pytz

from odoo import SUPERUSER_ID, api, fields, models
from odoo.exceptions import UserError
from odoo.service.model import PG_CONCURRENCY_ERRORS_TO_RETRY
from odoo.tools import SQL

from odoo.addons.callgest_base.tools import phone_numbers, phone_validation, sql_rows

from ..tools import cdr_parsers, queue_log

_logger = logging.getLogger(__name__)

# tries of the post-commit re-join of late legs (see _recheck_after_commit)
RECHECK_ATTEMPTS = 3
NOT_JOINED = "Late legs of the calls of %s PBXs not joined after commit"


class CallRow(NamedTuple):
    """The columns of callgest_call the importer writes: built by name, COPY'd
    and inserted by name (``sql_rows``)."""

    pbx_id: int
    batch_id: int
    call_key: str
    company_id: int
    direction: str
    ddi_id: int | None
    partner_id: int
    professional_id: int | None
    caller_number: str | None
    caller_raw: str | None
    caller_name: str | None
    called_number: str | None
    called_raw: str | None
    start_time: object
    answer_time: object
    end_time: object
    local_date: object
    duration: int
    wait_seconds: int
    robot_seconds: int
    secretary_seconds: int
    transfer_seconds: int
    transfer_to: str | None
    disposition: str
    disposition_raw: str | None
    agent_id: int | None
    agent_extension: str | None
    dialed_client_code: str | None
    queue_name: str | None
    recording_ref: str | None
    has_cdr: bool
    has_queue_log: bool
    leg_count: int
    leg_keys: str
    leg_refs: str
    queue_seconds: int
    transfer_legs: str | None


CALL_COLUMNS = CallRow._fields


class BadLine(NamedTuple):
    """A line refused by the parser or the resolution, for the quarantine."""

    line_number: int
    raw: str
    reason: str
    call_key: str  # "" when the line is no call's


class QuarantineRow(NamedTuple):
    """The columns of callgest_cdr_quarantine the importer writes."""

    pbx_id: int
    batch_id: int
    company_id: int
    file_name: str
    line_number: int
    raw_line: str
    raw_hash: str
    reason: str
    call_key: str | None
    state: str
    create_uid: int
    create_date: object
    write_uid: int
    write_date: object


class Prepared(NamedTuple):
    """A chunk read and resolved, ready to be written (see _cdr_reader)."""

    fmt: str
    columns: tuple
    rows_in: int
    new_calls: dict  # call key -> (cdr_parsers.Call, CallRow)
    quarantine: list  # BadLine
    directory: object  # DdiDirectory
    context: dict
    # call key -> cdr_parsers.Call refused (its rows are in ``quarantine``):
    # the late legs of a call stored earlier join it instead (see _store_calls)
    refused: dict | None = None


class ImportCounts(dict):
    """rows_in, rows_in_calls, calls_created, calls_updated, duplicates,
    quarantined, non_call_events (queue_log): what one import step did.

    rows_in == rows_in_calls + duplicates + quarantined + non_call_events
    """

    KEYS = (
        "rows_in",
        "rows_in_calls",
        "calls_created",
        "calls_updated",
        "duplicates",
        "quarantined",
        "non_call_events",
    )

    def __init__(self, **values):
        super().__init__({key: 0 for key in self.KEYS})
        self.update(values)
        # raw_hash of the quarantine rows written (inserted, or refreshed
        # when re-processing)
        self.touched_hashes = set()
        # keys of the calls created or changed
        self.stored_keys = set()


class DdiDirectory:
    # Its refusals, like the parsers' reasons, are stored in English and
    # shown in the reader's language (callgest_cdr_quarantine.translate_reason)

    """Every DDI of a company in memory, to resolve numbers without a query
    per call, including released ones (to explain why a call is refused)."""

    def __init__(self, env, pbx):
        self.env = env
        self.pbx = pbx
        self.region = pbx.country_id.code or env.company.country_id.code or None
        self.by_full = defaultdict(list)
        self.by_national = defaultdict(list)
        env.cr.execute(
            SQL(
                """SELECT ddi.id, ddi.number, ddi.number_digits,
                          ddi.national_digits, ddi.number_region, ddi.state,
                          ddi.activation_date, ddi.release_date,
                          ddi.partner_id, ddi.professional_id
                     FROM callgest_ddi ddi
                    WHERE ddi.company_id = %s""",
                pbx.company_id.id,
            )
        )
        for row in env.cr.dictfetchall():
            self.by_full[row["number_digits"]].append(row)
            self.by_national[row["national_digits"]].append(row)
        self.routes = {
            route.pbx_number.strip(): route.ddi_id.id for route in pbx.route_ids
        }
        self.by_id = {row["id"]: row for rows in self.by_full.values() for row in rows}
        self._e164_cache = {}
        self._candidates_cache = {}

    def candidates(self, raw):
        found = self._candidates_cache.get(raw)
        if found is None:
            found = self._candidates_cache[raw] = self._find_candidates(raw)
        return found

    def _find_candidates(self, raw):
        route = self.routes.get((raw or "").strip())
        if route:
            return [self.by_id[route]] if route in self.by_id else []
        full_keys, national_keys = phone_numbers.lookup_keys(raw or "")
        found = [ddi for key in full_keys for ddi in self.by_full.get(key, ())]
        found += [
            ddi
            for key in national_keys
            for ddi in self.by_national.get(key, ())
            if ddi not in found
        ]
        if len(found) <= 1:
            return found
        return phone_numbers.narrow_candidates(
            found,
            full_keys,
            self.region,
            digits_of=itemgetter("number_digits"),
            region_of=itemgetter("number_region"),
        )

    def resolve(self, raw, day):
        """``(ddi row, None)`` for the DDI in service on ``day``, or
        ``(None, reason)``; ``(None, None)`` when the number is not ours."""
        candidates = self.candidates(raw)
        if not candidates:
            return None, None
        covering, activated_later, refusals = [], [], []
        for ddi in candidates:
            activated = ddi["activation_date"]
            if ddi["state"] in ("active", "suspended"):
                if not activated or activated <= day:
                    covering.append(ddi)
                else:
                    activated_later.append(ddi)
            elif ddi["state"] == "released" and ddi["release_date"]:
                if day < ddi["release_date"] and (not activated or activated <= day):
                    covering.append(ddi)
                else:
                    refusals.append(
                        f"DDI {ddi['number']} was released on "
                        f"{ddi['release_date']}, before the call"
                    )
            else:
                refusals.append(
                    f"DDI {ddi['number']} is not in service ({ddi['state']})"
                )
        # A number in service now also takes the calls made before its
        # activation date (a trial period), unless a released record of the
        # same number covered that day.
        if covering or activated_later:
            return (covering or activated_later)[0], None
        return None, "; ".join(refusals)

    def e164(self, raw):
        """The E.164 form of a number as written, or None."""
        if raw in self._e164_cache:
            return self._e164_cache[raw]
        try:
            result = phone_validation.parse_number(raw or "", self.region).e164
        except UserError:
            result = None
        self._e164_cache[raw] = result
        return result


class CallgestCdrImporter(models.AbstractModel):
    """Turns parsed PBX records into ``callgest.call`` rows and quarantine.

    Bulk SQL (COPY, ``INSERT ... ON CONFLICT``), no per-row ORM round trip:
    the unique constraint (pbx_id, call_key) makes every import idempotent,
    also against a concurrent import of an overlapping file.
    """

    _name = "callgest.cdr.importer"
    _description = "CallGest CDR importer"

    # ------------------------------------------------------------------
    # Entry points
    # ------------------------------------------------------------------
    @api.model
    def _cdr_reader(self, batch, header_text=None):
        """A function ``read(lines, first_line) -> Prepared`` for ``batch``.

        ``read`` parses, consolidates and resolves a chunk of lines (bytes,
        without their newline) without touching the ORM or the cursor: the
        batch runs it in a thread for the next chunk while this one is
        written to the database.

        :param header_text: the file's line 1 when chunks do not start there;
            used when it is a header naming the columns.
        """
        pbx = batch.pbx_id
        # the raw SQL below must see the DDIs, routes and calls as the ORM has them
        self.env.flush_all()
        options = batch._parse_options()
        header = None
        if header_text and self._is_header(header_text, pbx):
            header = header_text.encode()
        directory = DdiDirectory(self.env, pbx)
        context = self._context_maps(pbx, batch)

        def read(lines, first_line):
            data = b"\n".join(lines)
            offset = first_line - 1
            if header and first_line > 1:
                data = header + b"\n" + data
                offset -= 1
            parsed = cdr_parsers.parse_cdr(data, **options)
            rows, bad_rows = parsed.rows, parsed.bad_rows
            if offset:
                rows = [
                    row._replace(line_number=row.line_number + offset) for row in rows
                ]
                bad_rows = [
                    row._replace(line_number=row.line_number + offset)
                    for row in bad_rows
                ]
            consolidation = cdr_parsers.consolidate(rows + bad_rows)
            return self._prepare(
                consolidation, directory, context, parsed.fmt, parsed.columns
            )

        return read

    @api.model
    def _import_cdr_lines(self, batch, lines, first_line, header_text=None):
        """Import CDR ``lines`` of ``batch``'s file, the first being line
        ``first_line``; return the ImportCounts."""
        prepared = self._cdr_reader(batch, header_text)(lines, first_line)
        return self._store_prepared(batch, prepared)

    @api.model
    def _is_header(self, text, pbx):
        fields_ = next(csv.reader([text]), [])
        if cdr_parsers._header_columns(fields_) is not None:
            return True
        return pbx.system == "generic" and any(
            not column.source_column.strip().isdigit() for column in pbx.column_ids
        )

    @api.model
    def _import_consolidation(self, batch, consolidation, reprocess=False):
        """Calls and bad rows of a consolidation into the database."""
        self.env.flush_all()
        directory = DdiDirectory(self.env, batch.pbx_id)
        context = self._context_maps(batch.pbx_id, batch)
        prepared = self._prepare(consolidation, directory, context)
        return self._store_prepared(batch, prepared, reprocess=reprocess)

    def _prepare(self, consolidation, directory, context, fmt="", columns=()):
        """The Prepared chunk of a consolidation: its calls resolved into
        CallRows, its bad lines and refused calls; no ORM."""
        quarantine = [
            BadLine(row.line_number, row.raw, row.reason, "")
            for row in consolidation.bad_rows
        ]
        new_calls = {}
        refused = {}
        for call in consolidation.calls:
            values, reason = self._call_values(call, directory, context)
            if reason:
                for row in call.legs + call.duplicates:
                    quarantine.append(
                        BadLine(row.line_number, row.raw, reason, call.key)
                    )
                refused[call.key] = call
                continue
            new_calls[call.key] = (call, values)
        return Prepared(
            fmt,
            columns,
            consolidation.rows_in,
            new_calls,
            quarantine,
            directory,
            context,
            refused,
        )

    def _store_prepared(self, batch, prepared, reprocess=False):
        """Write prepared calls and quarantine rows; return the ImportCounts."""
        counts = ImportCounts(rows_in=prepared.rows_in)
        placed = self._store_calls(
            batch,
            prepared.new_calls,
            counts,
            prepared.directory,
            prepared.context,
            refused=prepared.refused,
        )
        quarantine = prepared.quarantine
        if placed:
            quarantine = [row for row in quarantine if row.call_key not in placed]
        self._store_quarantine(batch, quarantine, counts, reprocess=reprocess)
        # rows quarantined earlier as calls of their own (Unknown DDI...)
        # that belong to a call stored now: they join it
        self._join_quarantined_legs(batch.pbx_id, counts.stored_keys)
        # a concurrent import may have stored (or quarantined) the other legs
        # of these calls meanwhile, unseen by this transaction: check again
        # once it is committed
        self._recheck_after_commit(
            batch.pbx_id,
            counts.stored_keys | {row.call_key for row in quarantine if row.call_key},
        )
        assert counts["rows_in"] == (
            counts["rows_in_calls"] + counts["duplicates"] + counts["quarantined"]
        ), counts
        return counts

    # ------------------------------------------------------------------
    # From a parsed call to database values
    # ------------------------------------------------------------------
    @api.model
    def _context_maps(self, pbx, batch):
        """What every call of an import needs, read once (no ORM in the loop)."""
        extensions = {}
        for extension in pbx.extension_ids:
            extensions[extension.extension.strip()] = extension.user_id.id
        self.env.cr.execute(
            SQL(
                """SELECT callgest_client_code, id FROM res_partner
                    WHERE is_callgest_client
                      AND callgest_client_code IS NOT NULL
                      AND callgest_client_code != ''
                      AND (company_id IS NULL OR company_id = %s)""",
                pbx.company_id.id,
            )
        )
        clients = dict(self.env.cr.fetchall())
        self.env.cr.execute(
            SQL(
                """SELECT id, tz FROM res_partner
                    WHERE tz IS NOT NULL
                      AND (id = ANY(%s) OR id IN (SELECT partner_id FROM callgest_ddi
                                                  WHERE company_id = %s))""",
                list(clients.values()),
                pbx.company_id.id,
            )
        )
        pbx_tz = pytz.timezone(pbx.timezone or "UTC")
        zones = {}
        partner_tz = {}
        for partner_id, tz_name in self.env.cr.fetchall():
            if tz_name not in zones:
                try:
                    zones[tz_name] = pytz.timezone(tz_name)
                except pytz.UnknownTimeZoneError:
                    zones[tz_name] = pbx_tz
            partner_tz[partner_id] = zones[tz_name]
        return {
            "extensions": extensions,
            "clients": clients,
            "pbx_tz": pbx_tz,
            "partner_tz": partner_tz,
            "offsets": {},
            "pbx_id": pbx.id,
            "company_id": pbx.company_id.id,
            "batch_id": batch.id,
            "recording_template": pbx.recording_url_template or "",
        }

    @staticmethod
    def _local_date(moment, tz, offsets):
        """The local day of a naive UTC datetime; the UTC offset is cached per
        zone and hour (offsets change on the hour)."""
        hour = moment.replace(minute=0, second=0, microsecond=0)
        offset = offsets.get((tz, hour))
        if offset is None:
            offset = pytz.utc.localize(hour).astimezone(tz).utcoffset()
            offsets[(tz, hour)] = offset
        return (moment + offset).date()

    def _call_values(self, call, directory, context):
        """``(CallRow, None)`` or ``(None, reason)``."""
        origin = call.legs[0]
        if origin.unique_key != call.key:
            origin = next(
                (leg for leg in call.legs if leg.unique_key == call.key), origin
            )
        offsets = context["offsets"]
        pbx_day = self._local_date(call.start, context["pbx_tz"], offsets)
        ddi, refusal = directory.resolve(call.called, pbx_day)
        direction = "inbound"
        dialed_code = None
        if ddi is None:
            clients = context["clients"]
            codes = [
                code
                for code in (call.accountcode, call.userfield)
                if code and code in clients
            ]
            caller_ddi, _caller_refusal = directory.resolve(call.caller, pbx_day)
            if codes:
                dialed_code = codes[0]
                direction = "outbound"
            elif caller_ddi is not None:
                # made for a client, presenting its DDI as the caller id
                ddi = caller_ddi
                direction = "outbound"
            elif refusal:
                return None, refusal
            else:
                return None, (
                    f"Unknown DDI {call.called or '-'}: no DDI, inbound route or "
                    "client code matches the call"
                )
        if origin.dcontext and (
            "xfer" in origin.dcontext.lower() or "transfer" in origin.dcontext.lower()
        ):
            direction = "transfer"
        if ddi is not None:
            partner_id = ddi["partner_id"]
            professional_id = ddi["professional_id"]
        else:
            partner_id = context["clients"][dialed_code]
            professional_id = None
        if not partner_id:
            return None, f"DDI {ddi['number'] if ddi else '-'} has no client"
        tz = context["partner_tz"].get(partner_id) or context["pbx_tz"]
        disposition = call.disposition
        if call.userfield and "blacklist" in call.userfield.lower():
            disposition = "blacklisted"
        extensions = context["extensions"]
        agent_id = None
        if extensions and call.agent_extension:
            agent_id = extensions.get(call.agent_extension) or extensions.get(
                call.agent_channel
            )
        recording = None
        if context["recording_template"] and disposition == "answered":
            recording = context["recording_template"].format(
                uniqueid=call.main.unique_key, linkedid=call.key
            )
        values = CallRow(
            pbx_id=context["pbx_id"],
            batch_id=context["batch_id"],
            call_key=call.key,
            company_id=context["company_id"],
            direction=direction,
            ddi_id=ddi["id"] if ddi else None,
            partner_id=partner_id,
            professional_id=professional_id,
            caller_number=directory.e164(call.caller),
            caller_raw=call.caller,
            caller_name=origin.caller_name,
            called_number=directory.e164(call.called),
            called_raw=call.called,
            start_time=call.start,
            answer_time=call.answer,
            end_time=call.end,
            local_date=self._local_date(call.start, tz, offsets),
            duration=call.duration,
            wait_seconds=call.wait_seconds,
            robot_seconds=call.robot_seconds,
            secretary_seconds=call.secretary_seconds,
            transfer_seconds=call.transfer_seconds,
            transfer_to=call.transfer_to or None,
            disposition=disposition,
            disposition_raw=call.main.disposition_raw,
            agent_id=agent_id,
            agent_extension=call.agent_extension or None,
            dialed_client_code=dialed_code,
            queue_name=None,
            recording_ref=recording,
            has_cdr=True,
            has_queue_log=False,
            leg_count=len(call.legs),
            leg_keys="\n".join(call.leg_identities),
            leg_refs="%s:%s"
            % (
                context["batch_id"],
                ",".join(str(leg.line_number) for leg in call.legs),
            ),
            queue_seconds=call.queue_seconds,
            transfer_legs="\n".join(
                f"{directory.e164(number) or number}\t{seconds}"
                for number, seconds in call.transfers
            )
            or None,
        )
        return values, None

    # ------------------------------------------------------------------
    # Writing
    # ------------------------------------------------------------------
    def _existing_calls(self, pbx, keys):
        if not keys:
            return {}
        self.env.cr.execute(
            SQL(
                """SELECT call_key, id, has_cdr, has_queue_log, leg_keys, leg_refs,
                          disposition, wait_seconds, queue_name, agent_id,
                          queue_seconds
                     FROM callgest_call
                    WHERE pbx_id = %s AND call_key = ANY(%s)""",
                pbx.id,
                list(keys),
            )
        )
        return {row["call_key"]: row for row in self.env.cr.dictfetchall()}

    def _store_calls(self, batch, new_calls, counts, directory, context, refused=None):
        """Insert new calls; recognise repeats; merge late legs.

        :param refused: ``{key: cdr_parsers.Call}`` refused as calls of their
            own (a transfer leg alone is a call to an unknown number): those
            whose key is a call stored earlier are late legs of it and join it.
        :return: the keys of ``refused`` that joined a stored call
        """
        pbx = batch.pbx_id
        pending = dict(new_calls)
        changed = set()
        placed = set()
        refused = refused or {}
        # one query for the refused calls and the new ones (their keys differ)
        existing = self._existing_calls(pbx, set(pending) | set(refused))
        for key in sorted(refused.keys() & existing.keys()):
            stored = existing[key]
            if not stored["has_cdr"]:
                continue  # known from queue_log only: nothing to join
            joined = self._merge_into_existing(
                batch, refused[key], None, stored, counts, directory, context
            )
            if joined is not None:
                placed.add(key)
            if joined:
                changed.add(key)
        # Two passes: a key inserted meanwhile by a concurrent import shows up
        # as a conflict, then as an existing call on the second pass.
        for attempt in range(2):
            if attempt:
                existing = self._existing_calls(pbx, pending)
            for key in list(pending):
                if key in existing:
                    call, values = pending.pop(key)
                    if self._merge_into_existing(
                        batch, call, values, existing[key], counts, directory, context
                    ):
                        changed.add(key)
            if not pending:
                break
            inserted = self._insert_calls(
                pbx, [values for _c, values in pending.values()]
            )
            changed |= inserted
            for key in inserted:
                call, _values = pending.pop(key)
                counts["calls_created"] += 1
                counts["rows_in_calls"] += len(call.legs)
                counts["duplicates"] += len(call.duplicates)
        if pending:  # pragma: no cover - a key can conflict only once
            raise RuntimeError(f"Calls neither inserted nor found: {list(pending)}")
        self.env["callgest.call"].invalidate_model()
        counts.stored_keys |= changed
        if changed:
            self._calls_stored(pbx, changed)
        return placed

    def _calls_stored(self, pbx, keys):
        """Hook: the CDR of the calls ``keys`` of ``pbx`` were stored or
        completed by late legs (billing rates them)."""

    def _insert_calls(self, pbx, rows):
        """Insert calls not found in the database; return the keys inserted.

        COPY into a temporary table, then ``INSERT ... ON CONFLICT DO
        NOTHING``: a key a concurrent import stored meanwhile is skipped, not
        doubled. The INSERT does the heavy work (indexes, foreign keys) in a
        plain query, during which psycopg2 lets the batch's read-ahead thread
        run (it does not while it waits for the end of a COPY).
        """
        if not rows:
            return set()
        cr = self.env.cr
        columns = SQL(", ").join(SQL.identifier(column) for column in CALL_COLUMNS)
        cr.execute(
            SQL(
                """CREATE TEMP TABLE IF NOT EXISTS callgest_call_import
                   ON COMMIT DROP AS
                   SELECT %s FROM callgest_call WITH NO DATA""",
                columns,
            )
        )
        cr.execute("TRUNCATE callgest_call_import")
        sql_rows.copy_rows(cr, "callgest_call_import", rows)
        cr.execute(
            SQL(
                """INSERT INTO callgest_call (%s)
                   SELECT %s FROM callgest_call_import
                   -- one order for every import: two of them inserting the
                   -- same keys wait for each other instead of deadlocking
                   ORDER BY call_key
                   ON CONFLICT (pbx_id, call_key) DO NOTHING
                   RETURNING call_key""",
                columns,
                columns,
            )
        )
        return {row[0] for row in cr.fetchall()}

    def _merge_into_existing(
        self, batch, call, values, existing, counts, directory, context
    ):
        """A call already in the database: a repeat, late legs, or CDR rows
        for a call known so far from queue_log only. True when it changed.

        ``values`` is None for legs refused as a call of their own: they join
        a stored call with CDR (None is returned if even with its legs they
        are refused, and they stay in quarantine).
        """
        has_cdr, leg_refs = existing["has_cdr"], existing["leg_refs"]
        refused_legs = values is None
        leg_keys = existing["leg_keys"]
        known = set((leg_keys or "").split("\n")) if has_cdr else set()
        new_legs = [
            leg
            for leg, identity in zip(call.legs, call.leg_identities, strict=True)
            if identity not in known
        ]
        seen = len(call.legs) - len(new_legs)
        if not new_legs:
            counts["duplicates"] += seen + len(call.duplicates)
            return False
        record = self.env["callgest.call"].sudo().browse(existing["id"])
        if has_cdr:
            stored = self._legs_of(leg_refs, context.setdefault("batch_lines", {}))
            merged = cdr_parsers.consolidate(stored + new_legs)
            if len(merged.calls) != 1:  # pragma: no cover - same key, same call
                raise RuntimeError(f"Late legs of {call.key} did not merge")
            values, reason = self._call_values(merged.calls[0], directory, context)
            if reason:
                if refused_legs:
                    # the stored call itself is refused today (its DDI since
                    # released...): the late legs stay in quarantine
                    return None
                raise RuntimeError(reason)  # pragma: no cover - resolved once
        counts["duplicates"] += seen + len(call.duplicates)
        update = values._asdict()
        for column in ("pbx_id", "call_key", "company_id"):
            update.pop(column)
        new_refs = "%s:%s" % (
            batch.id,
            ",".join(str(leg.line_number) for leg in new_legs),
        )
        update["leg_refs"] = (
            f"{leg_refs};{new_refs}" if has_cdr and leg_refs else new_refs
        )
        if existing["has_queue_log"]:
            # the queue time the queue_log measured stays (billed as robot time)
            update["queue_seconds"] = existing["queue_seconds"]
        if not has_cdr:
            # a call known from the queue_log only: its wait, queue and agent stay
            update["has_queue_log"] = True
            update["queue_name"] = existing["queue_name"]
            update["wait_seconds"] = existing["wait_seconds"]
            update["agent_id"] = update["agent_id"] or existing["agent_id"]
        record.write(update)
        counts["calls_updated"] += 1
        counts["rows_in_calls"] += len(new_legs)
        return True

    def _join_quarantined_legs(self, pbx, keys):
        """Pending quarantine rows of the calls ``keys`` of ``pbx`` (stored
        with their CDR) are re-processed: legs quarantined as calls of their
        own because they came before, or apart from, the rest of their call
        (a transfer leg pushed alone is a call to an unknown number) join it.
        """
        if not keys:
            return
        # rows being re-processed already (see _reprocess_batch_rows)
        busy = list(self.env.context.get("callgest_rejoining", ()))
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """SELECT q.id FROM callgest_cdr_quarantine q
                     JOIN callgest_call c
                       ON c.pbx_id = q.pbx_id AND c.call_key = q.call_key
                    WHERE q.pbx_id = %s AND q.state = 'pending' AND c.has_cdr
                      AND q.call_key = ANY(%s) AND q.id != ALL(%s)
                    ORDER BY q.id""",
                pbx.id,
                sorted(keys),
                busy,
            )
        )
        ids = [row[0] for row in self.env.cr.fetchall()]
        # all of them busy: a row's call, joined, must not fetch the others
        rows = (
            self.env["callgest.cdr.quarantine"]
            .sudo()
            .with_context(callgest_rejoining=tuple(busy) + tuple(ids))
            .browse(ids)
        )
        for batch, batch_rows in rows.grouped("batch_id").items():
            batch_rows._reprocess_batch_rows(batch)

    def _recheck_after_commit(self, pbx, keys):
        """Once this transaction is committed, join again the calls ``keys``
        of ``pbx`` and the quarantined legs of theirs (_join_quarantined_legs).

        Two imports at once, one storing a call and the other its late leg,
        each see nothing of the other (each transaction has its own snapshot):
        the leg is quarantined. The one that commits last sees both in a new
        transaction after its commit, and places the leg. Two rechecks at once
        write the same rows: the second fails on a serialization error, and
        is tried again (it finds nothing left to do).
        """
        # the recheck's own joins store calls too: they need no recheck
        if not keys or self.env.context.get("callgest_rechecking"):
            return
        postcommit = self.env.cr.postcommit
        pending = postcommit.data.setdefault("callgest_voip.rejoin", {})
        if not pending:
            registry = self.env.registry

            @postcommit.add
            def rejoin():
                # the import itself is committed and stands: on failure the
                # legs stay in quarantine, where Re-process places them
                for attempt in range(RECHECK_ATTEMPTS):
                    try:
                        with registry.cursor() as cr:
                            env = api.Environment(
                                cr, SUPERUSER_ID, {"callgest_rechecking": True}
                            )
                            importer = env["callgest.cdr.importer"]
                            for pbx_id, pbx_keys in sorted(pending.items()):
                                importer._join_quarantined_legs(
                                    env["callgest.pbx"].browse(pbx_id), pbx_keys
                                )
                        return
                    except Exception as error:
                        if (
                            isinstance(error, psycopg2.OperationalError)
                            and error.pgcode in PG_CONCURRENCY_ERRORS_TO_RETRY
                            and attempt < RECHECK_ATTEMPTS - 1
                        ):
                            time.sleep(0.1 * (attempt + 1))
                            continue
                        _logger.exception(NOT_JOINED, len(pending))
                        return

        pending.setdefault(pbx.id, set()).update(keys)

    def _legs_of(self, leg_refs, batch_lines):
        """The CdrRows of a stored call, read again from its batches' files.

        :param batch_lines: a cache ``{batch id: lines}`` for the import run
            (a call split by a chunk boundary is in the file being imported).
        """
        Batch = self.env["callgest.cdr.batch"].sudo()
        legs = []
        for part in (leg_refs or "").split(";"):
            batch_id, _sep, numbers = part.partition(":")
            if not numbers:
                continue
            batch = Batch.browse(int(batch_id))
            if batch.id not in batch_lines:
                batch_lines[batch.id] = batch._file_lines()
            lines = batch_lines[batch.id]
            wanted = [int(number) for number in numbers.split(",")]
            options = batch._parse_options()
            chosen = [lines[number - batch.first_line] for number in wanted]
            header = batch._header_text(lines)
            skip = 0
            if header and self._is_header(header, batch.pbx_id):
                chosen.insert(0, header.encode())
                skip = 1
            parsed = cdr_parsers.parse_cdr(b"\n".join(chosen), **options)
            legs += [
                row._replace(line_number=wanted[row.line_number - 1 - skip])
                for row in parsed.rows
            ]
        return legs

    def _store_quarantine(self, batch, quarantine, counts, reprocess=False):
        """Keep each bad row with its reason; a row quarantined before is a
        duplicate (re-imported file), its reason refreshed on re-processing."""
        if not quarantine:
            return
        rows = []
        now = fields.Datetime.now()
        for line in quarantine:
            digest = hashlib.sha1(
                f"{batch.file_name or ''}\n{line.line_number}\n{line.raw}".encode(
                    "utf-8", "surrogateescape"
                )
            ).hexdigest()
            rows.append(
                QuarantineRow(
                    pbx_id=batch.pbx_id.id,
                    batch_id=batch.id,
                    company_id=batch.company_id.id,
                    file_name=batch.file_name or "",
                    line_number=line.line_number,
                    raw_line=line.raw,
                    raw_hash=digest,
                    reason=str(line.reason),
                    call_key=line.call_key or None,
                    state="pending",
                    create_uid=self.env.uid,
                    create_date=now,
                    write_uid=self.env.uid,
                    write_date=now,
                )
            )
        rows.sort(key=lambda row: row.raw_hash)  # see _insert_calls
        inserted = sql_rows.insert_rows(
            self.env.cr,
            "callgest_cdr_quarantine",
            rows,
            conflict=("pbx_id", "raw_hash"),
            # re-processing refreshes the reason
            update=("reason", "write_date") if reprocess else (),
            returning=("raw_hash",),
        )
        counts.touched_hashes.update(row[0] for row in inserted)
        fresh = len(inserted) if not reprocess else len(rows)
        counts["quarantined"] += fresh
        counts["duplicates"] += len(rows) - fresh
        self.env["callgest.cdr.quarantine"].invalidate_model()

    # ------------------------------------------------------------------
    # queue_log
    # ------------------------------------------------------------------
    @api.model
    def _import_queue_log_lines(
        self, batch, lines, first_line, line_numbers=None, reprocess=False
    ):
        """Enrich calls with queue_log events (wait, queue, agent, abandons).

        :param line_numbers: the file line number of each of ``lines``, when
            they are not consecutive (re-processing quarantined rows).
        """
        self.env.flush_all()
        parsed = queue_log.parse_queue_log(b"\n".join(lines))
        if line_numbers:
            parsed = parsed._replace(
                bad_rows=[
                    row._replace(
                        line_number=line_numbers[row.line_number - 1] - first_line + 1
                    )
                    for row in parsed.bad_rows
                ]
            )
        offset = first_line - 1
        counts = ImportCounts(rows_in=parsed.rows_in)
        counts["duplicates"] += parsed.duplicates
        pbx = batch.pbx_id
        extensions = self._context_maps(pbx, batch)["extensions"]
        existing = self._existing_calls(pbx, [qcall.key for qcall in parsed.calls])
        directory = DdiDirectory(self.env, pbx)
        quarantine = [
            BadLine(row.line_number + offset, row.raw, row.reason, "")
            for row in parsed.bad_rows
        ]
        Call = self.env["callgest.call"].sudo()
        create_vals = []
        enriched = set()  # calls with their CDR whose queue time changed
        for qcall in parsed.calls:
            agent_id = extensions.get(qcall.agent_extension) or extensions.get(
                qcall.agent
            )
            queue_values = {
                "has_queue_log": True,
                "queue_name": qcall.queue,
                "wait_seconds": qcall.wait_seconds or 0,
                # the caller heard the queue's music (robot time for billing)
                "queue_seconds": qcall.wait_seconds or 0,
            }
            if agent_id:
                queue_values["agent_id"] = agent_id
            rows_of_call = len(qcall.line_numbers)
            if qcall.key in existing:
                stored = existing[qcall.key]
                if stored["has_queue_log"]:
                    counts["duplicates"] += rows_of_call
                    continue
                if qcall.outcome != "answered" and stored["disposition"] == "answered":
                    queue_values["disposition"] = "missed"
                Call.browse(stored["id"]).write(queue_values)
                if stored["has_cdr"]:
                    enriched.add(qcall.key)
                counts["calls_updated"] += 1
                counts["rows_in_calls"] += rows_of_call
                continue
            ddi, _refusal = directory.resolve(qcall.queue, qcall.enter.date())
            create_vals.append(
                {
                    **queue_values,
                    "pbx_id": pbx.id,
                    "batch_id": batch.id,
                    "call_key": qcall.key,
                    "company_id": pbx.company_id.id,
                    "direction": "inbound",
                    "ddi_id": ddi["id"] if ddi else False,
                    "partner_id": ddi["partner_id"] if ddi else False,
                    "professional_id": ddi["professional_id"] if ddi else False,
                    "caller_raw": qcall.caller,
                    "caller_number": directory.e164(qcall.caller),
                    "start_time": qcall.enter,
                    "answer_time": qcall.connect,
                    "end_time": qcall.end or qcall.connect or qcall.enter,
                    "secretary_seconds": qcall.talk_seconds or 0,
                    "disposition": (
                        "answered" if qcall.outcome == "answered" else "missed"
                    ),
                    "agent_extension": qcall.agent_extension or False,
                    "transfer_to": qcall.transfer_to or False,
                    "has_cdr": False,
                }
            )
            counts["rows_in_calls"] += rows_of_call
        if create_vals:
            Call.create(create_vals)
            counts["calls_created"] += len(create_vals)
        if enriched:
            self.env.flush_all()
            self._calls_stored(pbx, enriched)
        self._store_quarantine(batch, quarantine, counts, reprocess=reprocess)
        counts["non_call_events"] += parsed.non_call_events
        return counts
