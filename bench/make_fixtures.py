#!/usr/bin/env python3
"""Writes samples/bench/fixtures/demo.json: the benchmark's data set.

10,000 World rows (ids 1..10000, randomNumber drawn from 1..10000 with a
fixed seed, so the file is the same on every run) and the twelve fortunes
of the TechEmpower Framework Benchmarks. The format is Django's fixture
format (`[{"model": "app.model", "pk": …, "fields": {…}}, …]`), which
`djinn`'s `loaddata`, Django's `manage.py loaddata` and the baseline's
`setup` command all read.

Usage: python3 bench/make_fixtures.py [OUTPUT]
"""

import json
import random
import sys
from pathlib import Path

SEED = 20131108  # any constant; the date of TechEmpower's first fortunes round
WORLD_ROWS = 10_000

FORTUNES = [
    "fortune: No such file or directory",
    "A computer scientist is someone who fixes things that aren't broken.",
    "After enough decimal places, nobody gives a damn.",
    "A bad random number generator: 1, 1, 1, 1, 1, 4.33e+67, 1, 1, 1",
    "A computer program does what you tell it to do, not what you want it to do.",
    "Emacs is a nice operating system, but I prefer UNIX. \u2014 Tom Christaensen",
    "Any program that runs right is obsolete.",
    "A list is only as strong as its weakest link. \u2014 Donald Knuth",
    "Feature: A bug with seniority.",
    "Computers make very fast, very accurate mistakes.",
    '<script>alert("This should not be displayed in a browser alert box.");</script>',
    "\u30d5\u30ec\u30fc\u30e0\u30ef\u30fc\u30af\u306e\u30d9\u30f3\u30c1\u30de\u30fc\u30af",
]


def records():
    rng = random.Random(SEED)
    for world_id in range(1, WORLD_ROWS + 1):
        yield {
            "model": "bench.world",
            "pk": world_id,
            "fields": {"randomNumber": rng.randint(1, WORLD_ROWS)},
        }
    for fortune_id, message in enumerate(FORTUNES, start=1):
        yield {"model": "bench.fortune", "pk": fortune_id, "fields": {"message": message}}


def main():
    default = Path(__file__).resolve().parent.parent / "samples/bench/fixtures/demo.json"
    output = Path(sys.argv[1]) if len(sys.argv) > 1 else default
    # One record per line: small diffs, and still one JSON array.
    lines = [json.dumps(record, ensure_ascii=False) for record in records()]
    output.write_text("[\n" + ",\n".join(lines) + "\n]\n", encoding="utf-8")


if __name__ == "__main__":
    main()
