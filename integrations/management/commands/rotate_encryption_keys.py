"""Re-encrypt every encrypted column with the first key of FIELD_ENCRYPTION_KEYS.

    python manage.py rotate_encryption_keys [--batch-size 500] [--dry-run]

Run it after putting a new key first in FIELD_ENCRYPTION_KEYS (and deploying), before removing
the old key (docs/security.md). It finds every common.fields.EncryptedCharField of every model,
walks each table by primary key in batches (one short transaction per batch) and:
- leaves tokens the first key already opens untouched (so a second run changes nothing),
- re-encrypts tokens an older key opens (MultiFernet.rotate),
- encrypts legacy plaintext values (written before the column was encrypted).
Each row is updated only if the column still holds the value that was read, so a concurrent edit
is never overwritten. A value no key opens is reported and left alone; the command then fails.
"""

from __future__ import annotations

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from common.crypto import DecryptionError, encrypt_text, is_current, rotate_text
from common.fields import EncryptedCharField

PREFIX = EncryptedCharField.PREFIX


def encrypted_columns() -> list[tuple[str, str, list[str]]]:
    """(table, primary key column, [encrypted columns]) for every concrete model that has some."""
    found = []
    for model in apps.get_models():
        meta = model._meta
        if meta.proxy or not meta.managed:
            continue
        columns = [f.column for f in meta.concrete_fields if isinstance(f, EncryptedCharField)]
        if columns:
            found.append((meta.db_table, meta.pk.column, columns))
    return found


def reencrypted(value: str | None) -> str | None:
    """The value to store instead, or None when the value needs nothing."""
    if value is None or value == "":
        return None
    if not value.startswith(PREFIX):
        return PREFIX + encrypt_text(value)  # legacy plaintext
    token = value[len(PREFIX) :]
    if is_current(token):
        return None
    return PREFIX + rotate_text(token)


class Command(BaseCommand):
    help = "Re-encrypt every encrypted column with the first key of FIELD_ENCRYPTION_KEYS (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=500, help="rows per transaction (default 500)")
        parser.add_argument("--dry-run", action="store_true", help="count what would change, write nothing")

    def handle(self, *args, batch_size: int, dry_run: bool, **options):
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        failures: list[str] = []
        for table, pk, columns in encrypted_columns():
            changed, unchanged = self.rotate_table(table, pk, columns, batch_size, dry_run, failures)
            verb = "would re-encrypt" if dry_run else "re-encrypted"
            self.stdout.write(f"{table} ({', '.join(columns)}): {verb} {changed}, already current {unchanged}")
        if failures:
            shown = "\n  ".join(failures[:20])
            raise CommandError(
                f"{len(failures)} value(s) could not be decrypted with any key in FIELD_ENCRYPTION_KEYS "
                f"and were left as they are:\n  {shown}"
            )

    def rotate_table(self, table, pk, columns, batch_size, dry_run, failures) -> tuple[int, int]:
        qn = connection.ops.quote_name
        select = f"SELECT {qn(pk)}, {', '.join(qn(c) for c in columns)} FROM {qn(table)}"
        order = f"ORDER BY {qn(pk)} LIMIT %s"
        changed = unchanged = 0
        last = None
        while True:
            with transaction.atomic(), connection.cursor() as cursor:
                if last is None:
                    cursor.execute(f"{select} {order}", [batch_size])
                else:
                    cursor.execute(f"{select} WHERE {qn(pk)} > %s {order}", [last, batch_size])
                rows = cursor.fetchall()
                for row in rows:
                    row_id, values = row[0], row[1:]
                    for column, value in zip(columns, values, strict=True):
                        try:
                            new = reencrypted(value)
                        except DecryptionError:
                            failures.append(f"{table}.{column} of row {row_id}")
                            continue
                        if new is None:
                            unchanged += value not in (None, "")
                            continue
                        changed += 1
                        if not dry_run:
                            cursor.execute(
                                f"UPDATE {qn(table)} SET {qn(column)} = %s WHERE {qn(pk)} = %s AND {qn(column)} = %s",
                                [new, row_id, value],
                            )
            if len(rows) < batch_size:
                return changed, unchanged
            last = rows[-1][0]
