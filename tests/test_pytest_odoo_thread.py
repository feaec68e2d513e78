"""The pytest-odoo companion plugin (testing/duret_sms_testing/pytest_odoo_thread.py) names the
database on the test thread only when pytest-odoo is active."""

import sys
import threading
import types

import pytest

from duret_sms_testing import pytest_odoo_thread


class _Session:
    def __init__(self, plugins):
        manager = types.SimpleNamespace(hasplugin=lambda name: name in plugins)
        self.config = types.SimpleNamespace(pluginmanager=manager)


@pytest.fixture
def fake_odoo(monkeypatch):
    """``odoo.tools.config`` as pytest-odoo leaves it after parsing --odoo-database."""
    odoo = types.ModuleType("odoo")
    odoo.tools = types.ModuleType("odoo.tools")
    odoo.tools.config = {"db_name": "duret_test_db"}
    monkeypatch.setitem(sys.modules, "odoo", odoo)
    monkeypatch.setitem(sys.modules, "odoo.tools", odoo.tools)
    thread = threading.current_thread()
    monkeypatch.delattr(thread, "dbname", raising=False)
    yield
    if hasattr(thread, "dbname"):
        del thread.dbname


def test_sets_the_thread_database_under_pytest_odoo(fake_odoo):
    pytest_odoo_thread.pytest_sessionstart(_Session({"odoo"}))
    assert threading.current_thread().dbname == "duret_test_db"


def test_does_nothing_without_pytest_odoo(fake_odoo):
    pytest_odoo_thread.pytest_sessionstart(_Session(set()))
    assert not hasattr(threading.current_thread(), "dbname")
