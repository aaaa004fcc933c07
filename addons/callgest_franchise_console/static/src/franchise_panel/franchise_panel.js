import {CallConsole} from "@callgest_console/call_console/call_console";
import {RPCError} from "@web/core/network/rpc";
import {_t} from "@web/core/l10n/translation";
import {formatFloat} from "@web/core/utils/numbers";
import {patch} from "@web/core/utils/patch";
import {useState} from "@odoo/owl";

const CONSOLE = "callgest.call.console";
const ROUTING = "callgest.franchise.routing";
// The server's refusals that are meant for the secretary, not tracebacks
const USER_ERRORS = ["odoo.exceptions.ValidationError", "odoo.exceptions.UserError"];
// The franchisees after the one taking the call, in the ranking shown
const RANKING_LIMIT = 3;

function emptyFranchise() {
    return {query: "", result: null, routing: false};
}

patch(CallConsole.prototype, {
    setup() {
        super.setup(...arguments);
        this.franchise = useState(emptyFranchise());
    },

    async lookUp() {
        await super.lookUp(...arguments);
        // A new call (or the one just taken): its routing is done with
        Object.assign(this.franchise, emptyFranchise());
    },

    /**
     * A distance in the user's number format: "71,3" in Spanish.
     */
    franchiseKm(distance) {
        return formatFloat(distance, {digits: [16, 1]});
    },

    get isFranchiseNetwork() {
        return Boolean(this.state.data?.franchise_network);
    },

    /**
     * The nearest franchisees after the one taking the call.
     */
    get franchiseRanking() {
        const result = this.franchise.result;
        if (!result) {
            return [];
        }
        return result.ranking
            .filter((item) => item.id !== result.franchisee_id)
            .slice(0, RANKING_LIMIT);
    },

    /**
     * The franchisee's local time and when it opens or closes, in its own
     * time: "10:32, open until 14:00" (the date too when not today).
     */
    get franchiseHours() {
        const result = this.franchise.result;
        if (!result?.local_time) {
            return "";
        }
        // "2026-11-23T10:32:00+01:00" -> "2026-11-23" and "10:32"
        const time = result.local_time.slice(11, 16);
        const change = result.next_change;
        if (!change) {
            return _t("Local time %(time)s", {time});
        }
        const when =
            change.slice(0, 10) === result.local_time.slice(0, 10)
                ? change.slice(11, 16)
                : this.formatLocal(change);
        return result.open
            ? _t("Local time %(time)s, open until %(when)s", {time, when})
            : _t("Local time %(time)s, closed until %(when)s", {time, when});
    },

    async findFranchisee() {
        if (this.franchise.routing) {
            return;
        }
        this.franchise.routing = true;
        try {
            this.franchise.result = await this.orm.call(ROUTING, "route", [
                this.state.ddiNumber,
                this.franchise.query.trim(),
                this.state.callerNumber || false,
            ]);
        } catch (error) {
            if (
                error instanceof RPCError &&
                USER_ERRORS.includes(error.exceptionName)
            ) {
                this.franchise.result = null;
                this.notification.add(error.data.message, {
                    title: _t("No franchisee found"),
                    type: "danger",
                    className: "o_callgest_franchise_refusal",
                });
                return;
            }
            throw error;
        } finally {
            this.franchise.routing = false;
        }
    },

    onFranchiseKeydown(ev) {
        if (ev.key === "Enter") {
            this.findFranchisee();
        }
    },

    /**
     * After a routing, the recado carries it (``franchise_routing_id``): the
     * server gives it to the franchisee found, or to the network. The
     * console builds the recado's values itself: its ORM calls go through
     * this one for the time of the sending.
     */
    async sendRecado() {
        const routing = this.franchise.result;
        if (!routing || this.isIncident) {
            return super.sendRecado(...arguments);
        }
        const orm = this.orm;
        let recado = null;
        this.orm = Object.create(orm);
        this.orm.call = async (model, method, args = [], kwargs = {}) => {
            if (model !== CONSOLE || method !== "create_recado") {
                return orm.call(model, method, args, kwargs);
            }
            const [values, ...rest] = args;
            recado = await orm.call(
                model,
                method,
                [{...values, franchise_routing_id: routing.routing_id}, ...rest],
                kwargs
            );
            return recado;
        };
        try {
            await super.sendRecado(...arguments);
        } finally {
            this.orm = orm;
        }
        if (recado) {
            this.notification.add(
                recado.franchisee
                    ? _t("%(recado)s goes to %(franchisee)s.", {
                          recado: recado.name,
                          franchisee: recado.franchisee,
                      })
                    : _t("%(recado)s goes to the network %(network)s.", {
                          recado: recado.name,
                          network: routing.network,
                      }),
                {type: "info", className: "o_callgest_franchise_sent"}
            );
        }
    },
});
