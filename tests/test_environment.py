"""The virtualenv test.sh builds can run Odoo with prefork workers (issue 11)."""

import pytest


def test_gevent_process_can_start():
    """``odoo-bin --workers N`` spawns ``odoo-bin gevent``, which resolves gevent's requirements
    through pkg_resources; with setuptools < 70 that fails on 'zope.interface'."""
    pytest.importorskip("gevent")  # requirements-dev.txt (not on Windows)
    pkg_resources = pytest.importorskip("pkg_resources")
    pkg_resources.require("gevent")
