"""Drop the duplicate foreign key Django added to two_factor_devices.user_id.

Migration 0007 created the table and, in the same migration, replaced Django's foreign key with a
CASCADE one; but Django creates foreign keys at the very end of a migration, after the RunSQL, so
both ended up in place. The CASCADE one (two_factor_devices_user_id_fkey) is the one we keep.
Lesson kept in docs/database.md: put delete-rule RunSQL in a migration after the CreateModel one.
"""

from django.db import migrations

FORWARD = "ALTER TABLE two_factor_devices DROP CONSTRAINT IF EXISTS two_factor_devices_user_id_95949494_fk_users_id;"

REVERSE = """
ALTER TABLE two_factor_devices DROP CONSTRAINT IF EXISTS two_factor_devices_user_id_95949494_fk_users_id;
ALTER TABLE two_factor_devices ADD CONSTRAINT two_factor_devices_user_id_95949494_fk_users_id
    FOREIGN KEY (user_id) REFERENCES users(id) DEFERRABLE INITIALLY DEFERRED;
"""


class Migration(migrations.Migration):
    dependencies = [("accounts", "0007_two_factor_devices")]

    operations = [migrations.RunSQL(FORWARD, REVERSE)]
