#!/usr/bin/env python3
"""Run the Odoo tests of some modules in a fully loaded registry.

    python scripts/odoo_registry_tests.py --odoo-home /opt/odoo17 -c odoo.conf -d DB \\
        --modules sms,phone_validation,calendar_sms

Why: ``odoo-bin -i sms --test-enable`` (or ``-u sms``) runs the at_install tests of ``sms``
while the registry holds only ``sms`` and its dependencies, so an addon that extends ``sms``
(duret_sms) is not loaded yet and its overrides are not exercised. This script loads the whole
registry of an already-installed database first (every installed module, duret_sms included),
then runs the modules' ``at_install`` suites, then their ``post_install`` suites, through Odoo's
own loader (``odoo.tests.loader.make_suite``/``run_suite``) with the HTTP server started the way
``odoo-bin`` starts it for tests. It logs Odoo's usual result lines (``odoo.tests.stats`` and
``odoo.tests.result``: "N failed, N error(s) of N tests when loading database ...").

Exit status: 0 when at least one test ran and none failed or errored, 1 otherwise.
Extra arguments are passed to Odoo's configuration parser (e.g. ``--log-level=warn``).
"""

import argparse
import logging
import sys
import threading
import time


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--odoo-home", required=True, help="Odoo 17 source tree")
    parser.add_argument("-c", "--config", required=True, help="Odoo configuration file")
    parser.add_argument("-d", "--database", required=True, help="an installed database")
    parser.add_argument("--modules", required=True, help="comma-separated modules to test")
    parser.add_argument(
        "--test-tags", default=None, help="Odoo test-tags filter (default: /<module> for each)"
    )
    args, odoo_args = parser.parse_known_args(argv)
    modules = [m.strip() for m in args.modules.split(",") if m.strip()]

    sys.path.insert(0, args.odoo_home)
    import odoo
    from odoo.modules.registry import Registry
    from odoo.service import server
    from odoo.tests import loader
    from odoo.tests.result import OdooTestResult
    from odoo.tools import config

    # No --test-enable here: with test mode on, loading a registry without -i/-u runs the
    # at_install tests of each module *while* it is loaded, i.e. in a partial registry.
    config.parse_config(["-c", args.config, "-d", args.database, *odoo_args])
    result_logger = logging.getLogger("odoo.tests.result")
    logger = logging.getLogger("duret_sms.registry_tests")

    server.load_server_wide_modules()
    threading.current_thread().dbname = args.database
    registry = Registry.new(args.database)
    missing = sorted(set(modules) - registry._init_modules)
    if missing:
        logger.error("modules not installed in %s: %s", args.database, ", ".join(missing))
        return 1
    logger.info(
        "registry of %s loaded with %d modules; testing %s",
        args.database,
        len(registry._init_modules),
        ", ".join(modules),
    )

    # From here on, behave like `odoo-bin --test-enable --test-tags ...`: test mode and the HTTP
    # server that HttpCase talks to (ThreadedServer.start spawns it when test_enable is set).
    config["test_enable"] = True
    config["test_tags"] = args.test_tags or ",".join(f"/{m}" for m in modules)
    httpd = server.ThreadedServer(odoo.http.root)
    server.server = httpd
    httpd.http_spawn()

    report = OdooTestResult()
    t0 = time.time()
    for module in modules:  # at_install: one module at a time, as loading.py does
        suite = loader.make_suite([module], "at_install")
        if suite.countTestCases():
            report.update(loader.run_suite(suite, module))
    logger.info("%d at_install tests in %.2fs", report.testsRun, time.time() - t0)

    t1, before = time.time(), report.testsRun
    post_install = loader.make_suite(modules, "post_install")
    if post_install.has_http_case():
        with registry.cursor() as cr:
            odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})["ir.qweb"]._pregenerate_assets_bundles()
    report.update(loader.run_suite(post_install))
    logger.info("%d post-tests in %.2fs", report.testsRun - before, time.time() - t1)

    report.log_stats()
    log = (
        result_logger.error
        if not report.wasSuccessful()
        else result_logger.warning
        if not report.testsRun
        else result_logger.info
    )
    log("%s when loading database %r", report, args.database)
    ok = report.wasSuccessful() and report.testsRun > 0
    httpd.stop()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
