"""pytest plugin for pytest-odoo runs: name the database on the test thread, as odoo-bin does.

odoo-bin sets ``threading.current_thread().dbname`` before it loads the registry and runs the
tests in that thread (``preload_registries`` in odoo/service/server.py; ``odoo shell`` does the
same). Odoo code reads it: ``ir.http.routing_map()`` opens the registry it names. pytest-odoo
2.x loads the registry without setting it, so such code raised AttributeError under pytest-odoo
and passed under Odoo's runner. Load it after pytest-odoo::

    pytest -p odoo -p duret_sms_testing.pytest_odoo_thread --odoo-database=DB ...

(``scripts/odoo_tests.py --pytest-odoo`` does). Without pytest-odoo active it does nothing.
"""

import threading


def pytest_sessionstart(session):
    if not session.config.pluginmanager.hasplugin("odoo"):
        return
    import odoo.tools  # noqa: PLC0415 - only when pytest-odoo runs: it put Odoo on the path

    # pytest-odoo parsed the Odoo configuration (--odoo-database/--odoo-config) in
    # pytest_cmdline_main, before the session starts; its registry loads at the first test.
    # (pytest-xdist, which pytest-odoo gives one database copy per worker, is not used here.)
    threading.current_thread().dbname = odoo.tools.config["db_name"]
