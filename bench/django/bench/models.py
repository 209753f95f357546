"""The benchmark's two tables, named and typed as djinn's schema has them."""

from django.db import models


class World(models.Model):
    randomNumber = models.IntegerField()

    class Meta:
        db_table = "world"


class Fortune(models.Model):
    message = models.CharField(max_length=2048)

    class Meta:
        db_table = "fortune"
