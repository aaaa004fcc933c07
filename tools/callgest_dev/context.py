"""What phase 2 works with: PostgreSQL, the environment, our addons."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass

from .common import ADDONS_DIR, LOG_DIR, PHASE2, Failure, rel, say
from .config import addon_hash, callgest_addons, hash_file, read_conf, write_conf
from .postgres import Pg, module_states, resolve_postgres
from .process import odoo_cmd, stream


@dataclass
class Context:
    pg: Pg
    env: dict
    addons: list[str]


def prepare() -> Context:
    """PostgreSQL, the effective .callgest/odoo.conf, the list of our addons."""
    conf = read_conf()
    pg = resolve_postgres(conf)
    write_conf(conf, pg)
    env = dict(os.environ, TZ="UTC", PYTHONUNBUFFERED="1")
    env.pop(PHASE2, None)
    if pg.local:  # the PG* variables are for another server
        for name in [name for name in env if name.startswith("PG")]:
            del env[name]
    addons = callgest_addons()
    if not addons:
        raise Failure(f"no callgest_* addon (with a __manifest__.py) in {ADDONS_DIR}")
    return Context(pg, env, addons)


def ensure_db(ctx: Context, db: str) -> None:
    """Create db with our addons (and demo data), install/upgrade as needed."""
    states = module_states(ctx.pg, db, ctx.addons)
    missing = [name for name in ctx.addons if states.get(name) != "installed"]
    hashes = {name: addon_hash(name) for name in ctx.addons}
    state_file = hash_file(ctx.pg, db)
    stored = json.loads(state_file.read_text()) if state_file.exists() else {}
    changed = [n for n in ctx.addons if n not in missing and stored.get(n) != hashes[n]]
    if not missing and not changed:
        say(f"database {db} is up to date ({', '.join(ctx.addons)} installed)")
        return
    args = ["-d", db, "--db-filter", f"^{db}$", "--stop-after-init"]
    if missing:
        what = "creating database" if not states else "installing into"
        say(f"{what} {db}: {', '.join(missing)} with demo data (takes a few minutes)")
        args += ["-i", ",".join(missing)]
    if changed:
        say(
            f"addon code changed since the last install/upgrade: -u {','.join(changed)}"
        )
        args += ["-u", ",".join(changed)]
    log_path = LOG_DIR / "odoo-install.log"
    code = stream(odoo_cmd(*args), ctx.env, log_path)
    states = module_states(ctx.pg, db, ctx.addons)
    broken = [name for name in ctx.addons if states.get(name) != "installed"]
    if code or broken:
        raise Failure(
            f"installing/upgrading the addons in {db} failed (odoo exit code {code}"
            f"{'; not installed: ' + ', '.join(broken) if broken else ''}); "
            f"see {rel(log_path)}"
        )
    state_file.parent.mkdir(parents=True, exist_ok=True)
    state_file.write_text(json.dumps(hashes, indent=1) + "\n")
