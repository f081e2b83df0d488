"""`gunicorn web.wsgi:app`: a bad setting stops start-up with one line that names it."""


from core.logs import configure_logging
from replacements.configuration import load_settings_or_exit
from web import create_app

_settings = load_settings_or_exit(check_redis=True)
configure_logging(_settings.log_level)
app = create_app(_settings)
