#!/usr/bin/env python3
"""Checks a server's answers against the TechEmpower Framework Benchmarks rules.

Usage: bench/check.py BASE_URL [--database-url URL] [--tests a,b,...]

For each test type it requests the endpoint and checks what the benchmark's
own verifier checks, a little more strictly (anything it would merely warn
about fails here):

- every response: status 200; `Server`, `Date` (RFC 7231 format, not
  cached: two requests a second apart differ) and `Content-Type` headers;
  `Content-Length` or `Transfer-Encoding`;
- plaintext: `text/plain`, body exactly `Hello, World!`;
- json: `application/json`, exactly `{"message": "Hello, World!"}`;
- db: one object with exactly `id` and `randomNumber`, integers in 1..10000;
- queries: `?queries=` of 1, 20, 0, -1, 501, `foo` and nothing give arrays
  of 1, 20, 1, 1, 500, 1 and 1 such objects (the count is clamped to
  1..500, anything not a number is 1);
- fortunes: `text/html; charset=utf-8` and, after the verifier's
  normalisation (entities, whitespace between tags), exactly the expected
  table, with the `<script>` row escaped, the Japanese row intact and the
  row added at request time in sorted position;
- fortunes-spec (djinn's template view, not a TechEmpower test): the same
  table without the added row;
- updates: the `queries` cases as above, and with the database at hand
  (`--database-url`, default `$DATABASE_URL`): the numbers returned are the
  ones stored afterwards, and most rows really changed.

With the database at hand, db and queries are also compared with the stored
rows, so an answer not read from the database fails. Exits 1 on any failure.
Standard library only (PostgreSQL is read with `psql`).
"""

import argparse
import http.client
import json
import os
import re
import sqlite3
import subprocess
import sys
import time
from datetime import datetime
from html.parser import HTMLParser
from urllib.parse import urlsplit

WORLD_ROWS = 10_000
ADDED_FORTUNE = "Additional fortune added at request time."

# (id, message) of the twelve stored fortunes; the expected pages sort them.
FORTUNES = [
    (1, "fortune: No such file or directory"),
    (2, "A computer scientist is someone who fixes things that aren't broken."),
    (3, "After enough decimal places, nobody gives a damn."),
    (4, "A bad random number generator: 1, 1, 1, 1, 1, 4.33e+67, 1, 1, 1"),
    (5, "A computer program does what you tell it to do, not what you want it to do."),
    (6, "Emacs is a nice operating system, but I prefer UNIX. \u2014 Tom Christaensen"),
    (7, "Any program that runs right is obsolete."),
    (8, "A list is only as strong as its weakest link. \u2014 Donald Knuth"),
    (9, "Feature: A bug with seniority."),
    (10, "Computers make very fast, very accurate mistakes."),
    (11, '<script>alert("This should not be displayed in a browser alert box.");</script>'),
    (12, "\u30d5\u30ec\u30fc\u30e0\u30ef\u30fc\u30af\u306e\u30d9\u30f3\u30c1\u30de\u30fc\u30af"),
]

CONTENT_TYPES = {
    "plaintext": r"^text/plain(; ?charset=(UTF|utf)-8)?$",
    "json": r"^application/json(; ?charset=(UTF|utf)-8)?$",
    "html": r"^text/html; ?charset=(UTF|utf)-8$",
}

# ?queries= value -> the number of rows the answer must hold.
QUERY_CASES = [("1", 1), ("20", 20), ("0", 1), ("-1", 1), ("501", 500), ("foo", 1), ("", 1)]

ALL_TESTS = ["plaintext", "json", "db", "queries", "fortunes", "updates", "fortunes-spec"]


class Failure(Exception):
    """A rule a response breaks."""


class Answer:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers  # lower-case name -> value
        self.body = body


def request(base, path):
    parts = urlsplit(base)
    connection = http.client.HTTPConnection(parts.hostname, parts.port or 80, timeout=30)
    try:
        connection.request("GET", parts.path.rstrip("/") + path, headers={"Accept": "*/*"})
        response = connection.getresponse()
        headers = {name.lower(): value for name, value in response.getheaders()}
        return Answer(response.status, headers, response.read())
    finally:
        connection.close()


def check_headers(answer, kind):
    if answer.status != 200:
        raise Failure(f"status {answer.status}, expected 200: {answer.body[:200]!r}")
    for name in ("server", "date", "content-type"):
        if name not in answer.headers:
            raise Failure(f"no {name.title()} header")
    if "content-length" not in answer.headers and "transfer-encoding" not in answer.headers:
        raise Failure("neither Content-Length nor Transfer-Encoding")
    try:
        datetime.strptime(answer.headers["date"], "%a, %d %b %Y %H:%M:%S %Z")
    except ValueError:
        raise Failure(f"Date header {answer.headers['date']!r} is not an HTTP date")
    content_type = answer.headers["content-type"]
    if not re.match(CONTENT_TYPES[kind], content_type):
        raise Failure(f"Content-Type {content_type!r} does not match {CONTENT_TYPES[kind]}")


def json_body(answer):
    try:
        return json.loads(answer.body)
    except ValueError as error:
        raise Failure(f"invalid JSON ({error}): {answer.body[:200]!r}")


def check_world(item, stored):
    if not isinstance(item, dict) or set(item) != {"id", "randomNumber"}:
        raise Failure(f"expected an object with exactly id and randomNumber, got {item!r}")
    for key in ("id", "randomNumber"):
        value = item[key]
        if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= WORLD_ROWS:
            raise Failure(f"{key} must be an integer in 1..{WORLD_ROWS}, got {value!r}")
    if stored is not None and stored.get(item["id"]) != item["randomNumber"]:
        raise Failure(
            f"world {item['id']}: answered randomNumber {item['randomNumber']}, "
            f"the database holds {stored.get(item['id'])}"
        )


def check_world_list(answer, expected_length, stored):
    check_headers(answer, "json")
    body = json_body(answer)
    if not isinstance(body, list):
        raise Failure(f"expected a JSON array, got {type(body).__name__}")
    if len(body) != expected_length:
        raise Failure(f"{len(body)} rows, expected {expected_length}")
    for item in body:
        check_world(item, stored)
    return body


class FortuneNormalizer(HTMLParser):
    """The verifier's normal form of a fortunes page: tags without
    attributes, text with whitespace-only runs dropped, and every way of
    escaping the same character written one way."""

    CHARREFS = {
        "34": "&quot;", "x22": "&quot;", "39": "&apos;", "x27": "&apos;",
        "43": "+", "x2b": "+", "60": "&lt;", "x3c": "&lt;", "62": "&gt;", "x3e": "&gt;",
        "47": "/", "x2f": "/", "40": "(", "x28": "(", "41": ")", "x29": ")",
    }

    def __init__(self):
        super().__init__(convert_charrefs=False)
        self.parts = []

    def handle_decl(self, decl):
        self.parts.append(f"<!{decl.lower()}>")

    def handle_starttag(self, tag, attrs):
        self.parts.append(f"<{tag}>")

    def handle_endtag(self, tag):
        self.parts.append(f"</{tag}>")

    def handle_data(self, data):
        if data.strip():
            self.parts.append(data.replace("'", "&apos;").replace('"', "&quot;").replace(">", "&gt;"))

    def handle_charref(self, name):
        key = name.lower().lstrip("0") or "0"
        self.parts.append(self.CHARREFS.get(key, f"&#{name};"))

    def handle_entityref(self, name):
        self.parts.append("\u2014" if name == "mdash" else f"&{name};")

    def normal_form(self):
        return "".join(self.parts)


def normalize(html):
    parser = FortuneNormalizer()
    parser.feed(html)
    parser.close()
    return parser.normal_form()


def expected_fortunes_page(rows):
    def escape(text):
        return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
                .replace('"', "&quot;").replace("'", "&apos;"))

    table = "".join(f"<tr><td>{id_}</td><td>{escape(message)}</td></tr>"
                    for id_, message in sorted(rows, key=lambda row: row[1]))
    return ("<!doctype html><html><head><title>Fortunes</title></head><body><table>"
            f"<tr><th>id</th><th>message</th></tr>{table}</table></body></html>")


def check_fortunes_page(answer, rows):
    check_headers(answer, "html")
    try:
        text = answer.body.decode("utf-8")
    except UnicodeDecodeError:
        raise Failure("the page is not UTF-8")
    found = normalize(text)
    expected = expected_fortunes_page(rows)
    if found != expected:
        at = next((i for i, (a, b) in enumerate(zip(found, expected)) if a != b),
                  min(len(found), len(expected)))
        raise Failure(
            f"the page differs from the expected table at character {at}:\n"
            f"      found: …{found[max(0, at - 60):at + 60]}…\n"
            f"   expected: …{expected[max(0, at - 60):at + 60]}…"
        )


class WorldTable:
    """Reads the `world` table straight from the database."""

    def __init__(self, url):
        self.url = url

    def read(self):
        if self.url.startswith("sqlite://"):
            path = self.url[len("sqlite://"):]
            with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as connection:
                rows = connection.execute('SELECT "id", "randomNumber" FROM "world"').fetchall()
            return dict(rows)
        if self.url.startswith(("postgres://", "postgresql://")):
            output = subprocess.run(
                ["psql", self.url, "-X", "-q", "-t", "-A", "-F", ",",
                 "-c", 'SELECT "id", "randomNumber" FROM "world"'],
                check=True, capture_output=True, text=True,
            ).stdout
            return {int(i): int(n) for i, n in (line.split(",") for line in output.split())}
        raise Failure(f"unsupported database URL {self.url.split(':')[0]}://…")


class Checker:
    def __init__(self, base, table):
        self.base = base
        self.table = table
        self.failures = 0

    def stored(self):
        return self.table.read() if self.table else None

    def run(self, name, check):
        try:
            detail = check()
        except Failure as failure:
            self.failures += 1
            print(f"FAIL {name}: {failure}")
        except (OSError, http.client.HTTPException, subprocess.CalledProcessError,
                sqlite3.Error) as error:
            self.failures += 1
            print(f"FAIL {name}: {type(error).__name__}: {error}")
        else:
            print(f"ok   {name}{': ' + detail if detail else ''}")

    def plaintext(self):
        answer = request(self.base, "/plaintext")
        check_headers(answer, "plaintext")
        if answer.body != b"Hello, World!":
            raise Failure(f"body {answer.body[:100]!r}, expected b'Hello, World!'")

    def json(self):
        answer = request(self.base, "/json")
        check_headers(answer, "json")
        body = json_body(answer)
        if body != {"message": "Hello, World!"}:
            raise Failure(f'expected {{"message": "Hello, World!"}}, got {body!r}')

    def db(self):
        stored = self.stored()
        answer = request(self.base, "/db")
        check_headers(answer, "json")
        body = json_body(answer)
        if isinstance(body, list):
            raise Failure("expected one JSON object, got an array")
        check_world(body, stored)
        return "compared with the database" if stored else "database not read"

    def queries(self, path="/queries"):
        stored = self.stored()
        for value, length in QUERY_CASES:
            try:
                check_world_list(request(self.base, f"{path}?queries={value}"), length, stored)
            except Failure as failure:
                raise Failure(f"?queries={value}: {failure}")
        try:
            check_world_list(request(self.base, path), 1, stored)
        except Failure as failure:
            raise Failure(f"no ?queries: {failure}")
        return f"{len(QUERY_CASES) + 1} cases"

    def fortunes(self):
        check_fortunes_page(request(self.base, "/fortunes"), FORTUNES + [(0, ADDED_FORTUNE)])

    def fortunes_spec(self):
        check_fortunes_page(request(self.base, "/fortunes-spec"), FORTUNES)

    def updates(self):
        if not self.table:
            raise Failure("persistence not checked: give --database-url (or DATABASE_URL)")
        for value, length in QUERY_CASES:
            try:
                check_world_list(request(self.base, f"/updates?queries={value}"), length, None)
            except Failure as failure:
                raise Failure(f"?queries={value}: {failure}")
        before = self.table.read()
        answered = check_world_list(request(self.base, "/updates?queries=500"), 500, None)
        after = self.table.read()
        # An id drawn twice in one request was written twice: only the last
        # value the server chose is certain, so judge ids drawn once.
        counts = {}
        for item in answered:
            counts[item["id"]] = counts.get(item["id"], 0) + 1
        once = [item for item in answered if counts[item["id"]] == 1]
        lost = [item for item in once if after.get(item["id"]) != item["randomNumber"]]
        if lost:
            item = lost[0]
            raise Failure(f"{len(lost)} of {len(once)} rows not stored as answered "
                          f"(world {item['id']}: answered {item['randomNumber']}, "
                          f"stored {after.get(item['id'])})")
        changed = sum(1 for id_ in counts if before.get(id_) != after.get(id_))
        if changed < 0.9 * len(counts):
            raise Failure(f"only {changed} of {len(counts)} rows changed in the database")
        return f"{changed} of {len(counts)} rows changed and stored as answered"

    def date_changes(self, first_date, started):
        time.sleep(max(0.0, 1.1 - (time.monotonic() - started)))
        second = request(self.base, "/plaintext").headers.get("date")
        if second == first_date:
            raise Failure(f"the Date header is cached: {first_date!r} twice, a second apart")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("base_url", help="e.g. http://127.0.0.1:8000")
    parser.add_argument("--database-url", default=None,
                        help="sqlite://PATH or postgres://… of the server's data (default $DATABASE_URL)")
    parser.add_argument("--tests", default=",".join(ALL_TESTS),
                        help=f"comma-separated, from {','.join(ALL_TESTS)}")
    args = parser.parse_args()
    database_url = args.database_url or os.environ.get("DATABASE_URL")
    checker = Checker(args.base_url, WorldTable(database_url) if database_url else None)
    tests = [name.strip() for name in args.tests.split(",") if name.strip()]
    unknown = set(tests) - set(ALL_TESTS)
    if unknown:
        parser.error(f"unknown tests: {', '.join(sorted(unknown))}")

    started = time.monotonic()
    try:
        first_date = request(args.base_url, "/plaintext").headers.get("date")
    except OSError as error:
        print(f"FAIL {args.base_url}: cannot connect: {error}")
        return 1
    for name in tests:
        checker.run(name, getattr(checker, name.replace("-", "_")))
    checker.run("date-not-cached", lambda: checker.date_changes(first_date, started))
    print(f"{args.base_url}: {'all checks passed' if not checker.failures else f'{checker.failures} failed'}")
    return 1 if checker.failures else 0


if __name__ == "__main__":
    sys.exit(main())
