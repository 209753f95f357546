"""TechEmpower's test types, written as a Django developer writes them."""

import random
from operator import itemgetter

from django.db import transaction
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render

from bench.models import Fortune, World

ADDED_FORTUNE = "Additional fortune added at request time."


def _random_id():
    return random.randint(1, 10000)


def _query_count(request):
    """`?queries=N` as the rules read it: 1 unless a number, clamped to 1..500."""
    try:
        count = int(request.GET.get("queries", 1))
    except ValueError:
        count = 1
    return min(max(count, 1), 500)


def plaintext(request):
    return HttpResponse(b"Hello, World!", content_type="text/plain")


def json(request):
    return JsonResponse({"message": "Hello, World!"})


def db(request):
    world = World.objects.get(id=_random_id())
    return JsonResponse({"id": world.id, "randomNumber": world.randomNumber})


def queries(request):
    worlds = [World.objects.get(id=_random_id()) for _ in range(_query_count(request))]
    return JsonResponse([{"id": w.id, "randomNumber": w.randomNumber} for w in worlds], safe=False)


def updates(request):
    worlds = [World.objects.get(id=_random_id()) for _ in range(_query_count(request))]
    for world in worlds:
        world.randomNumber = _random_id()
    with transaction.atomic():
        World.objects.bulk_update(sorted(worlds, key=lambda w: w.id), ["randomNumber"])
    return JsonResponse([{"id": w.id, "randomNumber": w.randomNumber} for w in worlds], safe=False)


def fortunes(request):
    rows = list(Fortune.objects.values("id", "message"))
    rows.append({"id": 0, "message": ADDED_FORTUNE})
    rows.sort(key=itemgetter("message"))
    return render(request, "fortunes.html", {"fortunes": rows})


def fortunes_spec(request):
    return render(request, "fortunes.html", {"fortunes": Fortune.objects.order_by("message")})
