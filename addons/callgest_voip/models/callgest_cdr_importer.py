import csv
import hashlib
import io
import logging
from collections import defaultdict
from operator import itemgetter
from typing import NamedTuple

import pytz
from psycopg2.extras import execute_values

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from odoo.addons.callgest_base.tools import phone_numbers, phone_validation

from ..tools import cdr_parsers, queue_log

_logger = logging.getLogger(__name__)

# Columns of callgest_call the importer writes, in COPY order
CALL_COLUMNS = (
    "pbx_id",
    "batch_id",
    "call_key",
    "company_id",
    "direction",
    "ddi_id",
    "partner_id",
    "professional_id",
    "caller_number",
    "caller_raw",
    "caller_name",
    "called_number",
    "called_raw",
    "start_time",
    "answer_time",
    "end_time",
    "local_date",
    "duration",
    "wait_seconds",
    "robot_seconds",
    "secretary_seconds",
    "transfer_seconds",
    "transfer_to",
    "disposition",
    "disposition_raw",
    "agent_id",
    "agent_extension",
    "dialed_client_code",
    "queue_name",
    "recording_ref",
    "has_cdr",
    "has_queue_log",
    "leg_count",
    "leg_keys",
    "leg_refs",
)


def copy_rows(cr, table, columns, rows):
    """COPY ``rows`` (tuples in ``columns`` order) into ``table``.

    CSV through the C ``csv`` writer: None is written as an unquoted empty
    field, which COPY reads as NULL (an empty string becomes NULL too).
    """
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    text = buffer.getvalue()
    if "\x00" in text:  # PostgreSQL text cannot hold NUL
        text = text.replace("\x00", "")
    data = text.encode()
    # one read of the whole buffer: psycopg2 holds the GIL for each read, and
    # the batch's read-ahead thread must not slow the COPY down
    cr.copy_expert(
        f"COPY {table} ({', '.join(columns)}) FROM STDIN WITH (FORMAT csv)",
        io.BytesIO(data),
        size=len(data) + 1,
    )


class Prepared(NamedTuple):
    """A chunk read and resolved, ready to be written (see _cdr_reader)."""

    fmt: str
    columns: tuple
    rows_in: int
    new_calls: dict  # call key -> (cdr_parsers.Call, values in CALL_COLUMNS order)
    quarantine: list  # (line number, raw text, reason, call key)
    directory: object  # DdiDirectory
    context: dict


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
            return Prepared(
                parsed.fmt,
                parsed.columns,
                *self._prepare(consolidation, directory, context),
                directory,
                context,
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
        prepared = Prepared(
            "",
            (),
            *self._prepare(consolidation, directory, context),
            directory,
            context,
        )
        return self._store_prepared(batch, prepared, reprocess=reprocess)

    def _prepare(self, consolidation, directory, context):
        """``(rows_in, {key: (call, values)}, quarantine rows)``: no ORM."""
        quarantine = [
            (row.line_number, row.raw, row.reason, "") for row in consolidation.bad_rows
        ]
        new_calls = {}
        for call in consolidation.calls:
            values, reason = self._call_values(call, directory, context)
            if reason:
                for row in call.legs + call.duplicates:
                    quarantine.append((row.line_number, row.raw, reason, call.key))
                continue
            new_calls[call.key] = (call, values)
        return consolidation.rows_in, new_calls, quarantine

    def _store_prepared(self, batch, prepared, reprocess=False):
        """Write prepared calls and quarantine rows; return the ImportCounts."""
        counts = ImportCounts(rows_in=prepared.rows_in)
        self._store_calls(
            batch, prepared.new_calls, counts, prepared.directory, prepared.context
        )
        self._store_quarantine(batch, prepared.quarantine, counts, reprocess=reprocess)
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
        """``(values tuple in CALL_COLUMNS order, None)`` or ``(None, reason)``."""
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
        values = (
            context["pbx_id"],
            context["batch_id"],
            call.key,
            context["company_id"],
            direction,
            ddi["id"] if ddi else None,
            partner_id,
            professional_id,
            directory.e164(call.caller),
            call.caller,
            origin.caller_name,
            directory.e164(call.called),
            call.called,
            call.start,
            call.answer,
            call.end,
            self._local_date(call.start, tz, offsets),
            call.duration,
            call.wait_seconds,
            call.robot_seconds,
            call.secretary_seconds,
            call.transfer_seconds,
            call.transfer_to or None,
            disposition,
            call.main.disposition_raw,
            agent_id,
            call.agent_extension or None,
            dialed_code,
            None,
            recording,
            True,
            False,
            len(call.legs),
            "\n".join(call.leg_identities),
            "%s:%s"
            % (
                context["batch_id"],
                ",".join(str(leg.line_number) for leg in call.legs),
            ),
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
                          disposition, wait_seconds, queue_name, agent_id
                     FROM callgest_call
                    WHERE pbx_id = %s AND call_key = ANY(%s)""",
                pbx.id,
                list(keys),
            )
        )
        return {row["call_key"]: row for row in self.env.cr.dictfetchall()}

    def _store_calls(self, batch, new_calls, counts, directory, context):
        """Insert new calls; recognise repeats; merge late legs."""
        pbx = batch.pbx_id
        pending = dict(new_calls)
        changed = set()
        # Two passes: a key inserted meanwhile by a concurrent import shows up
        # as a conflict, then as an existing call on the second pass.
        for _attempt in range(2):
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
        if changed:
            self._calls_stored(pbx, changed)

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
        copy_rows(cr, "callgest_call_import", CALL_COLUMNS, rows)
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
        for a call known so far from queue_log only. True when it changed."""
        has_cdr, leg_refs = existing["has_cdr"], existing["leg_refs"]
        leg_keys = existing["leg_keys"]
        known = set((leg_keys or "").split("\n")) if has_cdr else set()
        new_legs = [
            leg
            for leg, identity in zip(call.legs, call.leg_identities, strict=True)
            if identity not in known
        ]
        seen = len(call.legs) - len(new_legs)
        counts["duplicates"] += seen + len(call.duplicates)
        if not new_legs:
            return False
        record = self.env["callgest.call"].sudo().browse(existing["id"])
        if has_cdr:
            stored = self._legs_of(leg_refs, context.setdefault("batch_lines", {}))
            merged = cdr_parsers.consolidate(stored + new_legs)
            if len(merged.calls) != 1:  # pragma: no cover - same key, same call
                raise RuntimeError(f"Late legs of {call.key} did not merge")
            values, reason = self._call_values(merged.calls[0], directory, context)
            if reason:  # pragma: no cover - resolved once already
                raise RuntimeError(reason)
        update = dict(zip(CALL_COLUMNS, values, strict=True))
        for column in ("pbx_id", "call_key", "company_id"):
            update.pop(column)
        new_refs = "%s:%s" % (
            batch.id,
            ",".join(str(leg.line_number) for leg in new_legs),
        )
        update["leg_refs"] = (
            f"{leg_refs};{new_refs}" if has_cdr and leg_refs else new_refs
        )
        if not has_cdr:
            # the queue_log's wait, queue and agent stay
            update["has_queue_log"] = True
            update["queue_name"] = existing["queue_name"]
            update["wait_seconds"] = existing["wait_seconds"]
            update["agent_id"] = update["agent_id"] or existing["agent_id"]
        record.write(update)
        counts["calls_updated"] += 1
        counts["rows_in_calls"] += len(new_legs)
        return True

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
        for line_number, raw, reason, call_key in quarantine:
            digest = hashlib.sha1(
                f"{batch.file_name or ''}\n{line_number}\n{raw}".encode(
                    "utf-8", "surrogateescape"
                )
            ).hexdigest()
            rows.append(
                (
                    batch.pbx_id.id,
                    batch.id,
                    batch.company_id.id,
                    batch.file_name or "",
                    line_number,
                    raw,
                    digest,
                    str(reason),
                    call_key or None,
                    "pending",
                    self.env.uid,
                    fields.Datetime.now(),
                    self.env.uid,
                    fields.Datetime.now(),
                )
            )
        columns = (
            "pbx_id, batch_id, company_id, file_name, line_number, raw_line, "
            "raw_hash, reason, call_key, state, create_uid, create_date, "
            "write_uid, write_date"
        )
        on_conflict = (
            "DO UPDATE SET reason = EXCLUDED.reason, write_date = EXCLUDED.write_date"
            if reprocess
            else "DO NOTHING"
        )
        query = (
            f"INSERT INTO callgest_cdr_quarantine ({columns}) VALUES %s "
            f"ON CONFLICT (pbx_id, raw_hash) {on_conflict} RETURNING raw_hash"
        )
        rows.sort(key=lambda row: row[6])  # by raw_hash: see _insert_calls
        inserted = execute_values(
            self.env.cr._obj, query, rows, fetch=True, page_size=1000
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
            (row.line_number + offset, row.raw, row.reason, "")
            for row in parsed.bad_rows
        ]
        Call = self.env["callgest.call"].sudo()
        create_vals = []
        for qcall in parsed.calls:
            agent_id = extensions.get(qcall.agent_extension) or extensions.get(
                qcall.agent
            )
            queue_values = {
                "has_queue_log": True,
                "queue_name": qcall.queue,
                "wait_seconds": qcall.wait_seconds or 0,
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
        self._store_quarantine(batch, quarantine, counts, reprocess=reprocess)
        counts["non_call_events"] += parsed.non_call_events
        return counts
