"""Model fields that map Django onto the schema's PostgreSQL types."""

from django.db import models


class PgEnumField(models.CharField):
    """A column of a PostgreSQL ENUM type, read and written as its label.

    The type itself is created by a RunSQL migration of the owning app (CREATE TYPE), which must
    run before the table that uses it. PostgreSQL rejects labels outside the enum, so a bad status
    cannot be stored even by raw SQL; ordering follows the enum's declaration order.
    """

    description = "PostgreSQL enum"

    def __init__(self, *args, enum_type: str, **kwargs):
        self.enum_type = enum_type
        kwargs.setdefault("max_length", 32)
        # The database default mirrors the Python default, so raw SQL inserts get the same value.
        if "default" in kwargs and "db_default" not in kwargs and not callable(kwargs["default"]):
            kwargs["db_default"] = kwargs["default"]
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["enum_type"] = self.enum_type
        if kwargs.get("max_length") == 32:
            del kwargs["max_length"]
        return name, path, args, kwargs

    def db_type(self, connection):
        return self.enum_type

    def cast_db_type(self, connection):
        return self.enum_type

    def rel_db_type(self, connection):
        return self.enum_type


def JSONBListField(**kwargs) -> models.JSONField:
    """A JSONB array column defaulting to [] in Python and in the database."""
    return models.JSONField(default=list, db_default=models.Value([], models.JSONField()), **kwargs)


def JSONBObjectField(**kwargs) -> models.JSONField:
    """A JSONB object column defaulting to {} in Python and in the database."""
    return models.JSONField(default=dict, db_default=models.Value({}, models.JSONField()), **kwargs)
