import {Component, markup, onWillStart, onWillUnmount, useState} from "@odoo/owl";
import {_t} from "@web/core/l10n/translation";
import {registry} from "@web/core/registry";
import {standardActionServiceProps} from "@web/webclient/actions/action_service";
import {useService} from "@web/core/utils/hooks";

export class CallConsole extends Component {
    static template = "callgest_console.CallConsole";
    static props = {...standardActionServiceProps};

    setup() {
        this.orm = useService("orm");
        this.notification = useService("notification");
        this.busService = useService("bus_service");
        const context = this.props.action?.context || {};
        this.state = useState({
            ddiNumber: context.ddi_number || "",
            callerNumber: context.caller_number || "",
            data: null,
            loading: false,
            sending: false,
            form: this.emptyForm(),
            snippetEmails: {},
            sendingSnippet: false,
        });
        this.onIncomingCall = (payload) => {
            this.state.ddiNumber = payload.ddi_number || "";
            this.state.callerNumber = payload.caller_number || "";
            this.lookUp();
        };
        this.busService.subscribe(
            "callgest_console/incoming_call",
            this.onIncomingCall
        );
        // Usually already started by mail; starting twice is harmless
        this.busService.start();
        onWillUnmount(() =>
            this.busService.unsubscribe(
                "callgest_console/incoming_call",
                this.onIncomingCall
            )
        );
        onWillStart(async () => {
            if (this.state.ddiNumber) {
                await this.lookUp();
            }
        });
    }

    emptyForm() {
        return {
            callerName: "",
            categoryCode: "message",
            urgent: false,
            body: "",
            callTypeId: false,
            answers: {},
        };
    }

    get callType() {
        const callTypes = this.state.data?.call_types || [];
        return callTypes.find((callType) => callType.id === this.state.form.callTypeId);
    }

    inputType(question) {
        return (
            {phone: "tel", email: "email", date: "date"}[question.field_type] || "text"
        );
    }

    selectCallType(callType) {
        const form = this.state.form;
        if (form.callTypeId === callType.id) {
            // A second click leaves the call type
            form.callTypeId = false;
            form.answers = {};
            return;
        }
        form.callTypeId = callType.id;
        form.answers = Object.fromEntries(callType.questions.map((q) => [q.id, ""]));
        const code = callType.message_category_code;
        if (
            code &&
            this.state.data.categories.some((category) => category.code === code)
        ) {
            form.categoryCode = code;
        }
    }

    get isIncident() {
        return this.callType?.action === "incident";
    }

    get knownClient() {
        return Boolean(this.state.data && this.state.data.client);
    }

    get callerCategoryClass() {
        const category = this.state.data?.caller_category;
        if (category === "vip") {
            return "text-bg-warning";
        }
        if (category === "blacklist") {
            return "text-bg-danger";
        }
        return "text-bg-secondary";
    }

    formatLocal(isoString) {
        // "2026-11-23T21:00:00+01:00" -> "2026-11-23 21:00", client's own time
        return isoString ? isoString.slice(0, 16).replace("T", " ") : "";
    }

    async lookUp() {
        if (!this.state.ddiNumber) {
            return;
        }
        this.state.loading = true;
        try {
            const data = await this.orm.call("callgest.call.console", "console_data", [
                this.state.ddiNumber,
                this.state.callerNumber || false,
            ]);
            // Sanitized by the Html field of the protocol version
            data.instructions = data.instructions ? markup(data.instructions) : false;
            this.state.data = data;
            this.state.form = this.emptyForm();
            this.state.snippetEmails = {};
        } finally {
            this.state.loading = false;
        }
    }

    onKeydown(ev) {
        if (ev.key === "Enter") {
            this.lookUp();
        }
    }

    async sendRecado() {
        const form = this.state.form;
        const callType = this.callType;
        if (callType) {
            const missing = callType.questions
                .filter(
                    (question) =>
                        question.required &&
                        !`${form.answers[question.id] || ""}`.trim()
                )
                .map((question) => question.label);
            if (missing.length) {
                this.notification.add(
                    _t("Answer the required questions: %s", missing.join(", ")),
                    {
                        type: "warning",
                    }
                );
                return;
            }
        } else if (!form.body.trim()) {
            this.notification.add(_t("Write the message first."), {type: "warning"});
            return;
        }
        if (
            this.isIncident &&
            !form.body.trim() &&
            !Object.values(form.answers).some((answer) => `${answer || ""}`.trim())
        ) {
            this.notification.add(_t("Describe the incidencia first."), {
                type: "warning",
            });
            return;
        }
        const values = {
            ddi_number: this.state.ddiNumber,
            caller_name: form.callerName,
            caller_number: this.state.callerNumber,
        };
        if (callType) {
            values.call_type_id = callType.id;
            values.answers = callType.questions.map((question) => ({
                question_id: question.id,
                label: question.label,
                answer: form.answers[question.id] || "",
            }));
        }
        const isIncident = this.isIncident;
        if (isIncident) {
            values.description = form.body;
        } else {
            Object.assign(values, {
                category_code: form.categoryCode,
                urgency: form.urgent ? "urgent" : "normal",
                body: form.body,
            });
        }
        this.state.sending = true;
        try {
            const record = await this.orm.call(
                "callgest.call.console",
                isIncident ? "create_incident" : "create_recado",
                [values]
            );
            const message = isIncident
                ? _t("Incidencia %s opened.", record.name)
                : _t("Recado %s sent.", record.name);
            this.notification.add(message, {type: "success"});
            await this.lookUp();
        } finally {
            this.state.sending = false;
        }
    }

    async sendSnippet(snippet) {
        const email = `${this.state.snippetEmails[snippet.id] || ""}`.trim();
        if (!email) {
            this.notification.add(_t("Write the caller's email address first."), {
                type: "warning",
            });
            return;
        }
        this.state.sendingSnippet = true;
        try {
            await this.orm.call("callgest.call.console", "send_snippet", [
                snippet.id,
                this.state.ddiNumber,
                email,
            ]);
            this.notification.add(
                _t("%(snippet)s queued for %(email)s.", {snippet: snippet.name, email}),
                {type: "success"}
            );
            this.state.snippetEmails[snippet.id] = "";
        } finally {
            this.state.sendingSnippet = false;
        }
    }
}

registry.category("actions").add("callgest_console.call_console", CallConsole);
