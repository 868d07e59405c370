# The production image: gunicorn serves the app (whitenoise serves the static files); the same
# image runs the Celery worker and beat (see docker-compose.yml). TLS ends at a reverse proxy.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# WeasyPrint (certificate PDFs) needs Pango, HarfBuzz and a font.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libffi8 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

RUN groupadd --system --gid 10001 ocradmin \
    && useradd --system --uid 10001 --gid ocradmin --home-dir /app --no-create-home \
        --shell /usr/sbin/nologin ocradmin

WORKDIR /app

# The pinned dependencies first, so code changes do not reinstall them.
COPY pyproject.toml ./
RUN pip install .

COPY . .

# Static files are collected (hashed and compressed) into the image; the key is a throwaway
# used only by this command.
RUN SECRET_KEY=collectstatic-only-not-a-secret DEBUG=false VAR_DIR=/tmp/build-var \
        python manage.py collectstatic --noinput \
    && rm -rf /tmp/build-var \
    && mkdir -p /app/var /app/media \
    && chown -R ocradmin:ocradmin /app/var /app/media

ENV VAR_DIR=/app/var \
    MEDIA_ROOT=/app/media \
    STATIC_ROOT=/app/staticfiles

USER ocradmin

EXPOSE 8000

# Any HTTP answer below 500 means gunicorn is up and Django loaded (the bare address may be
# refused with 400 by ALLOWED_HOSTS or redirected to HTTPS; both are answers).
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import http.client, sys; c = http.client.HTTPConnection('127.0.0.1', 8000, timeout=4); c.request('GET', '/accounts/login/'); sys.exit(0 if c.getresponse().status < 500 else 1)"]

CMD ["gunicorn", "ocradmin.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
