"""The site as the page benchmark serves it: the product's settings with the benchmark's
URLconf (tests/benchmarks/urls.py: the site plus its two floor views)."""

import os

import django
from django.conf import settings
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ocradmin.settings")
django.setup()
settings.ROOT_URLCONF = "tests.benchmarks.urls"
application = get_wsgi_application()
