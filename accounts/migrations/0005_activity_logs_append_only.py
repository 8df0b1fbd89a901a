"""activity_logs is append-only for everybody, admins included: the database refuses edits.

UPDATE is allowed only when it does nothing but clear user_id: that is the ON DELETE SET NULL of a
deleted user, which must not be blocked. DELETE is refused outright (retention, if ever needed,
drops whole partitions; see docs/security.md). TRUNCATE by the table owner stays possible for
test databases and is not a path the application has.
"""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION activity_logs_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE'
       AND NEW.user_id IS NULL AND OLD.user_id IS NOT NULL
       AND (NEW.id, NEW.action, NEW.entity_type, NEW.entity_id, NEW.details, NEW.ip_address, NEW.created_at)
           IS NOT DISTINCT FROM
           (OLD.id, OLD.action, OLD.entity_type, OLD.entity_id, OLD.details, OLD.ip_address, OLD.created_at)
    THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'activity_logs is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$;

DROP TRIGGER IF EXISTS activity_logs_append_only ON activity_logs;
CREATE TRIGGER activity_logs_append_only
    BEFORE UPDATE OR DELETE ON activity_logs
    FOR EACH ROW EXECUTE FUNCTION activity_logs_append_only();
"""

REVERSE = """
DROP TRIGGER IF EXISTS activity_logs_append_only ON activity_logs;
DROP FUNCTION IF EXISTS activity_logs_append_only();
"""


class Migration(migrations.Migration):
    dependencies = [("accounts", "0004_foreign_key_delete_rules")]

    operations = [migrations.RunSQL(FORWARD, REVERSE)]
