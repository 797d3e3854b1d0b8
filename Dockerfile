# Production image: gunicorn serves the site, the same image runs the Celery worker and beat.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    DJANGO_ENV=production \
    PIP_NO_CACHE_DIR=1

# WeasyPrint needs Pango; gettext is not needed (catalogues compile in Python).
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY pyproject.toml requirements.lock ./
RUN pip install --upgrade pip && pip install -r requirements.lock
COPY . .
RUN pip install --no-deps .
RUN python scripts/compile_messages.py \
    && SECRET_KEY=build-only ALLOWED_HOSTS=localhost python manage.py collectstatic --noinput --verbosity 0 \
    && useradd --system --uid 1000 liaison && mkdir -p /app/var && chown -R liaison /app/var

USER liaison
EXPOSE 8000
CMD ["gunicorn", "-c", "config/gunicorn.py", "config.wsgi:application"]
