import {markup, useState} from "@odoo/owl";
import {CallConsole} from "@callgest_console/call_console/call_console";
import {ConfirmationDialog} from "@web/core/confirmation_dialog/confirmation_dialog";
import {RPCError} from "@web/core/network/rpc";
import {_t} from "@web/core/l10n/translation";
import {escape} from "@web/core/utils/strings";
import {patch} from "@web/core/utils/patch";
import {useService} from "@web/core/utils/hooks";

const MODEL = "callgest.call.console";
// The server's refusals that are meant for the secretary, not tracebacks
const USER_ERRORS = ["odoo.exceptions.ValidationError", "odoo.exceptions.UserError"];

function emptyAgenda() {
    return {
        typeId: false,
        resourceId: "",
        answers: {},
        callerEmail: "",
        notifyCaller: true,
        slots: [],
        loadingSlots: false,
        booking: false,
        rescheduleId: false,
        rescheduleSlots: [],
    };
}

patch(CallConsole.prototype, {
    setup() {
        super.setup(...arguments);
        this.dialog = useService("dialog");
        this.agenda = useState(emptyAgenda());
    },

    async lookUp() {
        await super.lookUp(...arguments);
        Object.assign(this.agenda, emptyAgenda());
    },

    get agendaTypes() {
        return this.state.data?.agenda?.types || [];
    },

    get agendaType() {
        return this.agendaTypes.find((type) => type.id === this.agenda.typeId);
    },

    get agendaProfessionals() {
        const type = this.agendaType;
        const professionals = this.state.data?.agenda?.professionals || [];
        return type
            ? professionals.filter((professional) =>
                  type.resource_ids.includes(professional.id)
              )
            : [];
    },

    get appointments() {
        return this.state.data?.appointments || [];
    },

    /**
     * The refusal of the server as a notification (its reason and the next
     * free slot, one per line); any other error goes on to the error dialog.
     */
    notifyRefusal(error, title) {
        if (error instanceof RPCError && USER_ERRORS.includes(error.exceptionName)) {
            const lines = `${error.data.message || ""}`.split("\n");
            this.notification.add(markup(lines.map(escape).join("<br/>")), {
                title,
                type: "danger",
                className: "o_callgest_agenda_refusal",
            });
            return;
        }
        throw error;
    },

    async selectAgendaType(type) {
        if (this.agenda.typeId === type.id) {
            // A second click leaves the type
            Object.assign(this.agenda, {typeId: false, slots: [], answers: {}});
            return;
        }
        this.agenda.typeId = type.id;
        this.agenda.resourceId = "";
        this.agenda.answers = Object.fromEntries(type.questions.map((q) => [q.id, ""]));
        await this.loadSlots();
    },

    async onAgendaResourceChange(ev) {
        // T-model may not have run yet: the select says what was chosen
        this.agenda.resourceId = ev.target.value;
        await this.loadSlots();
    },

    fetchSlots(typeId, resourceId) {
        return this.orm.call(MODEL, "agenda_slots", [
            this.state.ddiNumber,
            typeId,
            resourceId ? Number(resourceId) : false,
        ]);
    },

    async loadSlots() {
        const typeId = this.agenda.typeId;
        if (!typeId) {
            this.agenda.slots = [];
            return;
        }
        this.agenda.loadingSlots = true;
        try {
            const slots = await this.fetchSlots(typeId, this.agenda.resourceId);
            if (this.agenda.typeId === typeId) {
                this.agenda.slots = slots;
            }
        } catch (error) {
            this.notifyRefusal(error, _t("No free slots"));
        } finally {
            this.agenda.loadingSlots = false;
        }
    },

    async loadAppointments() {
        this.state.data.appointments = await this.orm.call(
            MODEL,
            "agenda_appointments",
            [
                this.state.ddiNumber,
                this.state.callerNumber || false,
                this.agenda.callerEmail.trim() || false,
            ]
        );
    },

    async onCallerEmailChange() {
        await this.loadAppointments();
    },

    async bookSlot(slot) {
        const type = this.agendaType;
        if (!type || this.agenda.booking) {
            return;
        }
        const missing = type.questions
            .filter(
                (question) =>
                    question.required &&
                    !`${this.agenda.answers[question.id] || ""}`.trim()
            )
            .map((question) => question.name);
        if (missing.length) {
            this.notification.add(
                _t("Answer the required questions: %s", missing.join(", ")),
                {type: "warning"}
            );
            return;
        }
        if (!this.state.form.callerName.trim()) {
            this.notification.add(_t("Write the caller's name first."), {
                type: "warning",
            });
            return;
        }
        this.agenda.booking = true;
        try {
            const booked = await this.orm.call(MODEL, "agenda_book", [
                {
                    ddi_number: this.state.ddiNumber,
                    type_id: type.id,
                    start: slot.start,
                    resource_id: slot.resource_id,
                    caller_name: this.state.form.callerName,
                    caller_number: this.state.callerNumber,
                    caller_email: this.agenda.callerEmail,
                    notify_caller: this.agenda.notifyCaller,
                    answers: type.questions.map((question) => ({
                        question_id: question.id,
                        answer: this.agenda.answers[question.id] || "",
                    })),
                },
            ]);
            this.notification.add(
                _t("%(type)s booked on %(when)s with %(professional)s.", {
                    type: type.name,
                    when: booked.when,
                    professional: booked.resource,
                }),
                {type: "success", className: "o_callgest_agenda_booked"}
            );
            this.agenda.answers = Object.fromEntries(
                type.questions.map((q) => [q.id, ""])
            );
            await this.loadAppointments();
        } catch (error) {
            this.notifyRefusal(error, _t("Not booked"));
        } finally {
            this.agenda.booking = false;
        }
        await this.loadSlots();
    },

    async startReschedule(appointment) {
        if (this.agenda.rescheduleId === appointment.id) {
            this.agenda.rescheduleId = false;
            this.agenda.rescheduleSlots = [];
            return;
        }
        this.agenda.rescheduleId = appointment.id;
        this.agenda.rescheduleSlots = [];
        try {
            const slots = await this.fetchSlots(appointment.type_id, false);
            if (this.agenda.rescheduleId === appointment.id) {
                this.agenda.rescheduleSlots = slots;
            }
        } catch (error) {
            this.agenda.rescheduleId = false;
            this.notifyRefusal(error, _t("No free slots"));
        }
    },

    async rescheduleTo(appointment, slot) {
        try {
            const moved = await this.orm.call(MODEL, "agenda_reschedule", [
                this.state.ddiNumber,
                appointment.id,
                slot.start,
                slot.resource_id,
            ]);
            this.notification.add(
                _t("%(type)s moved to %(when)s with %(professional)s.", {
                    type: appointment.type,
                    when: moved.when,
                    professional: moved.resource,
                }),
                {type: "success", className: "o_callgest_agenda_moved"}
            );
            this.agenda.rescheduleId = false;
            this.agenda.rescheduleSlots = [];
            await this.loadAppointments();
        } catch (error) {
            this.notifyRefusal(error, _t("Not moved"));
        }
        await this.loadSlots();
    },

    cancelAppointment(appointment) {
        this.dialog.add(ConfirmationDialog, {
            title: _t("Cancel the appointment"),
            body: _t("Cancel %(type)s of %(when)s with %(professional)s?", {
                type: appointment.type,
                when: appointment.when,
                professional: appointment.resource,
            }),
            confirmLabel: _t("Cancel the appointment"),
            cancelLabel: _t("Keep it"),
            confirm: async () => {
                try {
                    await this.orm.call(MODEL, "agenda_cancel", [
                        this.state.ddiNumber,
                        appointment.id,
                    ]);
                    this.notification.add(
                        _t("%(type)s of %(when)s cancelled.", {
                            type: appointment.type,
                            when: appointment.when,
                        }),
                        {type: "success", className: "o_callgest_agenda_cancelled"}
                    );
                    await this.loadAppointments();
                } catch (error) {
                    this.notifyRefusal(error, _t("Not cancelled"));
                }
                await this.loadSlots();
            },
            cancel: () => undefined,
        });
    },
});
