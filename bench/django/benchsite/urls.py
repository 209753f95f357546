"""The paths TechEmpower's toolset requests, and /fortunes-spec."""

from django.urls import path

from bench import views

urlpatterns = [
    path("plaintext", views.plaintext),
    path("json", views.json),
    path("db", views.db),
    path("queries", views.queries),
    path("fortunes", views.fortunes),
    path("updates", views.updates),
    path("fortunes-spec", views.fortunes_spec),
]
