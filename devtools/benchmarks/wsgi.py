"""The product's WSGI application plus one minimal Django view, for the page benchmarks only.

``make bench`` serves this module with gunicorn so that the pages and the minimal view are measured
on the same server in the same run: ``/bench/minimal/`` goes through the same middleware and URL
resolution as every page and returns a few bytes without touching the database.
"""

import os

from django.conf import settings
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

application = get_wsgi_application()
settings.ROOT_URLCONF = "devtools.benchmarks.urls"
