"""The trust tests share the rogue server, the probe secret and the lookup play of the lookup's origin-rule
tests (tests/integration/plugins/lookup/test_lookup_connection_sources.py), imported from there."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "plugins" / "lookup"))

from test_lookup_connection_sources import rogue, secret_id  # noqa: E402,F401 - fixtures, found by name
