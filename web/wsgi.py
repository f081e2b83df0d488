"""`gunicorn web.wsgi:app`: a bad setting stops start-up with one line that names it."""

import sys

from core.logs import configure_logging
from core.settings import ConfigError, Settings
from web import create_app

try:
    _settings = Settings.from_env()
except ConfigError as error:
    sys.exit(f"configuration error: {error}")
configure_logging(_settings.log_level)
app = create_app(_settings)
