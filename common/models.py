"""Abstract bases shared by the apps' models: UUID keys and timestamps defaulted by the database."""

import uuid

from django.db import models
from django.db.models.functions import Now


def uuid_pk():
    """A UUID primary key: generated in Python for ORM inserts, by gen_random_uuid() for raw SQL."""
    return models.UUIDField(
        primary_key=True,
        default=uuid.uuid4,
        db_default=models.Func(function="gen_random_uuid", output_field=models.UUIDField()),
        editable=False,
    )


class CreatedAtModel(models.Model):
    id = uuid_pk()
    created_at = models.DateTimeField(db_default=Now(), editable=False)

    class Meta:
        abstract = True


class TimestampedModel(CreatedAtModel):
    """updated_at is maintained by the update_updated_at_column() trigger, also for raw SQL."""

    updated_at = models.DateTimeField(db_default=Now(), editable=False)

    class Meta:
        abstract = True


class CurrentDate(models.Func):
    """SQL CURRENT_DATE, for DATE columns defaulted by the database."""

    template = "CURRENT_DATE"
    output_field = models.DateField()
