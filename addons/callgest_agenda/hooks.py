def pre_init_hook(env):
    """``btree_gist`` lets one exclusion constraint compare the professional
    (=) and the time range (&&): PostgreSQL then refuses a double booking
    whatever the transaction. It is a trusted extension: the database owner
    may create it."""
    env.cr.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
