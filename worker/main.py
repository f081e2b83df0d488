"""`celery -A worker.main worker|beat`: the worker and beat processes of the Procfile.

The one place a worker reads its environment; a bad setting stops start-up with one line.
"""

from core.logs import configure_logging
from replacements.configuration import load_settings_or_exit
from worker.app import create_celery

settings = load_settings_or_exit(check_redis=True)
configure_logging(settings.log_level)
app = create_celery(settings)
