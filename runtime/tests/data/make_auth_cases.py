#!/usr/bin/env python3
"""Generate runtime/tests/data/auth_cases.json: what real Django answers for
the parts of django.contrib.auth that djinn reimplements, the expected
values of the runtime's auth unit tests (src/auth/django_cases.rs):

- validators: Django's four default AUTH_PASSWORD_VALIDATORS on passwords,
  with and without a user (messages in order);
- argon2: Argon2PasswordHasher.encode with a given salt and cost (djinn must
  produce the same string, and verify it);
- pbkdf2: PBKDF2PasswordHasher.encode (djinn verifies Django's default hashes);
- tokens: PasswordResetTokenGenerator._make_token_with_timestamp and the
  session auth hash for given users, timestamps and secrets;
- uids: urlsafe_base64_encode of ids;
- safe_urls: url_has_allowed_host_and_scheme.

Needs Django 5.2 and argon2-cffi:
    python3 -m venv /tmp/authvenv && /tmp/authvenv/bin/pip install "django==5.2.*" argon2-cffi
    /tmp/authvenv/bin/python runtime/tests/data/make_auth_cases.py
"""
import datetime
import json
import os

import django
from django.conf import settings

settings.configure(
    SECRET_KEY="django-insecure-test-key",
    INSTALLED_APPS=["django.contrib.contenttypes", "django.contrib.auth"],
    DATABASES={},
    USE_TZ=True,
    PASSWORD_HASHERS=[
        "django.contrib.auth.hashers.Argon2PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    ],
    AUTH_PASSWORD_VALIDATORS=[
        {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
        {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
        {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
        {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    ],
)
django.setup()

from django.contrib.auth.hashers import Argon2PasswordHasher, PBKDF2PasswordHasher  # noqa: E402
from django.contrib.auth.models import User  # noqa: E402
from django.contrib.auth.password_validation import validate_password  # noqa: E402
from django.contrib.auth.tokens import PasswordResetTokenGenerator  # noqa: E402
from django.core.exceptions import ValidationError  # noqa: E402
from django.utils.crypto import salted_hmac  # noqa: E402
from django.utils.encoding import force_bytes  # noqa: E402
from django.utils.http import url_has_allowed_host_and_scheme, urlsafe_base64_encode  # noqa: E402

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "auth_cases.json")

USERS = [
    None,
    {"username": "alice", "first_name": "Alice", "last_name": "Liddell", "email": "alice@example.com"},
    {"username": "bob.smith", "first_name": "", "last_name": "", "email": "sandwich.maker@example.org"},
    {"username": "zoë", "first_name": "Zoë", "last_name": "Ångström", "email": "zoe@Example.COM"},
    {"username": "x", "first_name": "", "last_name": "", "email": ""},
    {"username": "long_username_for_testing", "first_name": "Maximilian", "last_name": "Featherstonehaugh", "email": "max@feather.example"},
]

PASSWORDS = [
    "", "a", "1234", "12345678", "1234567890123", "password", "PassWord", " password ",
    "correct horse battery staple", "Tr0ub4dor&3", "alice", "Alice1234", "alicealice",
    "ecila", "liddell99", "Liddell-Alice", "alice@example.com", "example", "examples!",
    "bob.smith", "smith123", "sandwich42", "sandwichmaker", "maker.sandwich", "org",
    "zoë", "ZOË2024!", "ångström1", "zoe@example.com", "xxxxxxxx", "x", "xy",
    "long_username_for_testing", "testing_username", "featherstone", "maximilian!",
    "Featherstonehaugh", "maxfeather", "qwertyuiop", "iloveyou", "letmein1",
    "١٢٣٤٥٦٧٨٩", "abc123", "sunshine", "dragon", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaax",
    "A very long passphrase that is surely not common at all", "naïve-café-crème",
    "Password1!", "shadow", "monkey123", "trustno1", "1q2w3e4r", "zaq12wsx",
]


def validator_cases():
    cases = []
    for user_fields in USERS:
        user = User(**user_fields) if user_fields else None
        for password in PASSWORDS:
            try:
                validate_password(password, user)
                errors = []
            except ValidationError as error:
                errors = list(error.messages)
            cases.append({"password": password, "user": user_fields, "errors": errors})
    return cases


class CheapArgon2(Argon2PasswordHasher):
    time_cost = 1
    memory_cost = 64
    parallelism = 1


class OtherArgon2(Argon2PasswordHasher):
    time_cost = 3
    memory_cost = 256
    parallelism = 2


def argon2_cases():
    cases = []
    for hasher in (CheapArgon2(), OtherArgon2()):
        for password, salt in [
            ("correct horse", "abcdefghijklmnopqrstuv"),
            ("pässwörd ✓", "0123456789ABCDEFGHIJKL"),
            ("", "saltsaltsaltsaltsaltsa"),
        ]:
            encoded = hasher.encode(password, salt)
            assert hasher.verify(password, encoded)
            cases.append({
                "password": password,
                "salt": salt,
                "memory_kib": hasher.memory_cost,
                "iterations": hasher.time_cost,
                "parallelism": hasher.parallelism,
                "encoded": encoded,
            })
    return cases


def pbkdf2_cases():
    hasher = PBKDF2PasswordHasher()
    return [
        {"password": password, "encoded": hasher.encode(password, salt, iterations=iterations)}
        for password, salt, iterations in [
            ("correct horse", "f8cPqBnQ0m1lYpRkHfDgVZ", 1000),
            ("pässwörd ✓", "abcdefghijklmnopqrstuv", 2500),
        ]
    ]


def token_cases():
    utc = datetime.timezone.utc
    cases = []
    generator = PasswordResetTokenGenerator()
    for pk, password, last_login, email, timestamp, secret in [
        (1, "argon2$argon2id$v=19$m=64,t=1,p=1$c2FsdA$aGFzaA", None, "", 0, "secret"),
        (42, "pbkdf2_sha256$1000$salt$hash=", datetime.datetime(2024, 1, 31, 9, 30, 15, 123456, tzinfo=utc),
         "alice@example.com", 730000000, "django-insecure-test-key"),
        (7, "!unusable", datetime.datetime(2001, 1, 1, 0, 0, 0, tzinfo=utc), "Zoë@example.com", 1, "ключ"),
    ]:
        user = User(pk=pk, password=password, last_login=last_login, email=email)
        token = generator._make_token_with_timestamp(user, timestamp, secret)
        session_hash = salted_hmac(
            "django.contrib.auth.models.AbstractBaseUser.get_session_auth_hash",
            password, secret=secret, algorithm="sha256",
        ).hexdigest()
        cases.append({
            "id": pk,
            "password_hash": password,
            "last_login": last_login.replace(tzinfo=None).isoformat(sep=" ") if last_login else None,
            "email": email,
            "timestamp": timestamp,
            "secret": secret,
            "token": token,
            "session_auth_hash": session_hash,
        })
    return cases


def uid_cases():
    return [{"id": pk, "uidb64": urlsafe_base64_encode(force_bytes(pk))} for pk in [1, 9, 42, 1000, 123456789]]


SAFE_URLS = [
    "/", "/next/", "next/", "?a=b", "#frag", "http://testserver/", "https://testserver/a",
    "//testserver/x", "http://testserver:8000/", "http://evil.example/", "//evil.example",
    "///evil.example", "////evil.example", "\\\\evil.example", "\\/evil.example", "/\\evil.example",
    "http:\\\\evil.example", "http:/evil.example", "http:evil.example", "https:///evil.example",
    "javascript:alert(1)", "JavaScript:alert(1)", "ftp://testserver/", "mailto:a@b.c",
    "\x08//evil.example", "\x01/evil.example", "\t//evil.example", " //evil.example", "/\t/evil.example",
    "\u200b//evil.example", "http://[::1]/", "http://[::1/", "http://evil.example@testserver/",
    "http://testserver@evil.example/", "/%2F%2Fevil.example", "//%2Fevil.example",
    "", "   ", "http://", "http:///", "https://testserver", "HTTPS://TESTSERVER/",
    "http://Testserver/", "/accounts/profile/?x=http://evil.example", "a:b", "1http://evil.example",
    "+http://evil.example", "//testserver\\@evil.example",
]


def safe_url_cases():
    cases = []
    for url in SAFE_URLS:
        for require_https in (False, True):
            cases.append({
                "url": url,
                "require_https": require_https,
                "safe": url_has_allowed_host_and_scheme(url, {"testserver"}, require_https=require_https),
            })
    return cases


def main():
    data = {
        "django": django.get_version(),
        "validators": validator_cases(),
        "argon2": argon2_cases(),
        "pbkdf2": pbkdf2_cases(),
        "tokens": token_cases(),
        "uids": uid_cases(),
        "safe_urls": safe_url_cases(),
    }
    with open(OUT, "w", encoding="utf-8") as out:
        json.dump(data, out, ensure_ascii=False, indent=1)
        out.write("\n")
    print(f"wrote {OUT}: " + ", ".join(f"{len(v)} {k}" for k, v in data.items() if isinstance(v, list)))


if __name__ == "__main__":
    main()
