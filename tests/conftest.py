"""Fixtures of the cross-addon test suite (`make test`, stage 2).

`make test` starts an Odoo server on the test database and runs pytest with
pytest-odoo (--odoo-config/--odoo-database, so Odoo test cases get an env)
and with these environment variables, for the tests that talk to the server:

    CALLGEST_TEST_URL   e.g. http://127.0.0.1:40123
    CALLGEST_TEST_DB    the test database
"""

import os
from urllib.parse import urlsplit

import odoorpc
import pytest


@pytest.fixture(scope="session")
def odoo_url():
    """Base URL of the running Odoo server."""
    url = os.environ.get("CALLGEST_TEST_URL")
    if not url:
        pytest.skip("CALLGEST_TEST_URL is not set: run the tests with `make test`")
    return url.rstrip("/")


@pytest.fixture(scope="session")
def odoo_db():
    """Name of the database the server serves."""
    db = os.environ.get("CALLGEST_TEST_DB")
    if not db:
        pytest.skip("CALLGEST_TEST_DB is not set: run the tests with `make test`")
    return db


@pytest.fixture
def odoorpc_login(odoo_url, odoo_db):
    """odoorpc_login(login, password) -> odoorpc.ODOO logged in to the server."""
    parts = urlsplit(odoo_url)
    https = parts.scheme == "https"
    port = parts.port or (443 if https else 80)
    protocol = "jsonrpc+ssl" if https else "jsonrpc"

    def login(login, password):
        client = odoorpc.ODOO(parts.hostname, port=port, protocol=protocol, timeout=60)
        client.login(odoo_db, login, password)
        return client

    return login


@pytest.hookimpl(tryfirst=True)
def pytest_pycollect_makeitem(collector, name, obj):
    """Give Odoo test classes of this directory the attributes Odoo 18 expects.

    Odoo's MetaCase sets test_tags/test_module only on classes whose module is
    under odoo.addons.*, and BaseCase.__init__ reads self.test_tags: without
    this, pytest-odoo 2.3.0 fails to collect a TransactionCase written here
    ("object has no attribute 'test_tags'").
    """
    if not isinstance(obj, type):
        return
    from odoo.tests.common import BaseCase  # after pytest-odoo read the config

    if issubclass(obj, BaseCase) and getattr(obj, "test_tags", None) is None:
        obj.test_tags = {"standard", "at_install"}
        obj.test_module = obj.__module__
        obj.test_class = obj.__name__
        obj.test_sequence = 0
