"""ON DELETE rules of the schema, enforced by PostgreSQL itself.

Django 5.2 emulates on_delete in Python and creates plain foreign keys; these replace them with the
schema's RESTRICT / CASCADE / SET NULL rules so raw SQL deletes behave as the schema says. The
models keep the matching on_delete so the ORM and the admin agree with the database.
"""

from django.db import migrations

FORWARD = """
ALTER TABLE sessions DROP CONSTRAINT IF EXISTS sessions_user_id_05e26f4a_fk_users_id;
ALTER TABLE sessions DROP CONSTRAINT IF EXISTS sessions_user_id_fkey;
ALTER TABLE sessions ADD CONSTRAINT sessions_user_id_fkey
    FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED;

ALTER TABLE notifications DROP CONSTRAINT IF EXISTS notifications_user_id_468e288d_fk_users_id;
ALTER TABLE notifications DROP CONSTRAINT IF EXISTS notifications_user_id_fkey;
ALTER TABLE notifications ADD CONSTRAINT notifications_user_id_fkey
    FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED;

ALTER TABLE activity_logs DROP CONSTRAINT IF EXISTS activity_logs_user_id_60cbbbe3_fk_users_id;
ALTER TABLE activity_logs DROP CONSTRAINT IF EXISTS activity_logs_user_id_fkey;
ALTER TABLE activity_logs ADD CONSTRAINT activity_logs_user_id_fkey
    FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE SET NULL DEFERRABLE INITIALLY DEFERRED;
"""

REVERSE = """
ALTER TABLE sessions DROP CONSTRAINT IF EXISTS sessions_user_id_fkey;
ALTER TABLE sessions DROP CONSTRAINT IF EXISTS sessions_user_id_05e26f4a_fk_users_id;
ALTER TABLE sessions ADD CONSTRAINT sessions_user_id_05e26f4a_fk_users_id
    FOREIGN KEY (user_id) REFERENCES users(id) DEFERRABLE INITIALLY DEFERRED;

ALTER TABLE notifications DROP CONSTRAINT IF EXISTS notifications_user_id_fkey;
ALTER TABLE notifications DROP CONSTRAINT IF EXISTS notifications_user_id_468e288d_fk_users_id;
ALTER TABLE notifications ADD CONSTRAINT notifications_user_id_468e288d_fk_users_id
    FOREIGN KEY (user_id) REFERENCES users(id) DEFERRABLE INITIALLY DEFERRED;

ALTER TABLE activity_logs DROP CONSTRAINT IF EXISTS activity_logs_user_id_fkey;
ALTER TABLE activity_logs DROP CONSTRAINT IF EXISTS activity_logs_user_id_60cbbbe3_fk_users_id;
ALTER TABLE activity_logs ADD CONSTRAINT activity_logs_user_id_60cbbbe3_fk_users_id
    FOREIGN KEY (user_id) REFERENCES users(id) DEFERRABLE INITIALLY DEFERRED;
"""


class Migration(migrations.Migration):
    dependencies = [("accounts", "0003_updated_at_function_and_users_trigger")]

    operations = [migrations.RunSQL(FORWARD, REVERSE)]
