"""Settings of the benchmark's Django server, as TechEmpower's Django entry.

DEBUG off, no middleware, only the apps the views need, the cached template
loader, persistent database connections (CONN_MAX_AGE). The database comes
from DATABASE_URL: sqlite://PATH or postgres://USER@HOST:PORT/NAME, whose
query parameters (e.g. options=-c search_path=django) go to psycopg.
"""

import os
from urllib.parse import parse_qsl, unquote, urlsplit

DEBUG = False
SECRET_KEY = "benchmark-only-not-secret"
ALLOWED_HOSTS = ["*"]

ROOT_URLCONF = "benchsite.urls"
WSGI_APPLICATION = "benchsite.wsgi.application"

INSTALLED_APPS = ["bench"]
MIDDLEWARE = []

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": False,
        "OPTIONS": {
            "loaders": [
                (
                    "django.template.loaders.cached.Loader",
                    ["django.template.loaders.app_directories.Loader"],
                )
            ],
        },
    }
]

USE_I18N = False
USE_TZ = False
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

LOGGING = {"version": 1, "disable_existing_loggers": True}


def database(url):
    """The DATABASES entry for a sqlite:// or postgres:// URL."""
    parts = urlsplit(url)
    if parts.scheme == "sqlite":
        # sqlite://relative/path or sqlite:///absolute/path, as the other servers read it.
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": url[len("sqlite://"):],
            "CONN_MAX_AGE": 30,
            "OPTIONS": {
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                "transaction_mode": "IMMEDIATE",
                "timeout": 5,
            },
        }
    if parts.scheme in ("postgres", "postgresql"):
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": parts.path.lstrip("/"),
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": parts.hostname or "",
            "PORT": str(parts.port or ""),
            "CONN_MAX_AGE": 30,
            "OPTIONS": dict(parse_qsl(parts.query)),
        }
    raise ValueError("DATABASE_URL must start with sqlite:// or postgres://")


DATABASES = {"default": database(os.environ.get("DATABASE_URL", "sqlite://bench.sqlite3"))}
