"""Make ``duret_sms.core`` importable without running the addon's ``__init__`` (which imports odoo).

The addon directory is registered as a namespace-like package whose ``__init__`` is never executed;
sub-packages such as ``duret_sms.core`` are then imported normally.
"""

import sys
import types
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ADDON = ROOT / "duret_sms"

if "duret_sms" not in sys.modules:
    _pkg = types.ModuleType("duret_sms")
    _pkg.__path__ = [str(ADDON)]
    _pkg.__file__ = str(ADDON / "__init__.py")
    sys.modules["duret_sms"] = _pkg
