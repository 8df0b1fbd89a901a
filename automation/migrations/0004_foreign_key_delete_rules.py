"""ON DELETE rules of the schema, enforced by PostgreSQL itself.

Django 5.2 emulates on_delete in Python and creates plain foreign keys; these replace them with the
schema's RESTRICT / CASCADE / SET NULL rules so raw SQL deletes behave as the schema says. The
models keep the matching on_delete so the ORM and the admin agree with the database.
"""

from django.db import migrations

FORWARD = """
ALTER TABLE workflows DROP CONSTRAINT IF EXISTS workflows_created_by_user_id_3b83868c_fk_users_id;
ALTER TABLE workflows DROP CONSTRAINT IF EXISTS workflows_created_by_user_id_fkey;
ALTER TABLE workflows ADD CONSTRAINT workflows_created_by_user_id_fkey
    FOREIGN KEY (created_by_user_id) REFERENCES users(id) ON DELETE SET NULL DEFERRABLE INITIALLY DEFERRED;

ALTER TABLE workflow_executions DROP CONSTRAINT IF EXISTS workflow_executions_workflow_id_9b19a930_fk_workflows_id;
ALTER TABLE workflow_executions DROP CONSTRAINT IF EXISTS workflow_executions_workflow_id_fkey;
ALTER TABLE workflow_executions ADD CONSTRAINT workflow_executions_workflow_id_fkey
    FOREIGN KEY (workflow_id) REFERENCES workflows(id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED;

ALTER TABLE workflow_executions DROP CONSTRAINT IF EXISTS workflow_executions_order_id_6b55e919_fk_orders_id;
ALTER TABLE workflow_executions DROP CONSTRAINT IF EXISTS workflow_executions_order_id_fkey;
ALTER TABLE workflow_executions ADD CONSTRAINT workflow_executions_order_id_fkey
    FOREIGN KEY (order_id) REFERENCES orders(id) ON DELETE SET NULL DEFERRABLE INITIALLY DEFERRED;

ALTER TABLE workflow_executions DROP CONSTRAINT IF EXISTS workflow_executions_customer_id_69c68634_fk_customers_id;
ALTER TABLE workflow_executions DROP CONSTRAINT IF EXISTS workflow_executions_customer_id_fkey;
ALTER TABLE workflow_executions ADD CONSTRAINT workflow_executions_customer_id_fkey
    FOREIGN KEY (customer_id) REFERENCES customers(id) ON DELETE SET NULL DEFERRABLE INITIALLY DEFERRED;
"""

REVERSE = """
ALTER TABLE workflows DROP CONSTRAINT IF EXISTS workflows_created_by_user_id_fkey;
ALTER TABLE workflows DROP CONSTRAINT IF EXISTS workflows_created_by_user_id_3b83868c_fk_users_id;
ALTER TABLE workflows ADD CONSTRAINT workflows_created_by_user_id_3b83868c_fk_users_id
    FOREIGN KEY (created_by_user_id) REFERENCES users(id) DEFERRABLE INITIALLY DEFERRED;

ALTER TABLE workflow_executions DROP CONSTRAINT IF EXISTS workflow_executions_workflow_id_fkey;
ALTER TABLE workflow_executions DROP CONSTRAINT IF EXISTS workflow_executions_workflow_id_9b19a930_fk_workflows_id;
ALTER TABLE workflow_executions ADD CONSTRAINT workflow_executions_workflow_id_9b19a930_fk_workflows_id
    FOREIGN KEY (workflow_id) REFERENCES workflows(id) DEFERRABLE INITIALLY DEFERRED;

ALTER TABLE workflow_executions DROP CONSTRAINT IF EXISTS workflow_executions_order_id_fkey;
ALTER TABLE workflow_executions DROP CONSTRAINT IF EXISTS workflow_executions_order_id_6b55e919_fk_orders_id;
ALTER TABLE workflow_executions ADD CONSTRAINT workflow_executions_order_id_6b55e919_fk_orders_id
    FOREIGN KEY (order_id) REFERENCES orders(id) DEFERRABLE INITIALLY DEFERRED;

ALTER TABLE workflow_executions DROP CONSTRAINT IF EXISTS workflow_executions_customer_id_fkey;
ALTER TABLE workflow_executions DROP CONSTRAINT IF EXISTS workflow_executions_customer_id_69c68634_fk_customers_id;
ALTER TABLE workflow_executions ADD CONSTRAINT workflow_executions_customer_id_69c68634_fk_customers_id
    FOREIGN KEY (customer_id) REFERENCES customers(id) DEFERRABLE INITIALLY DEFERRED;
"""


class Migration(migrations.Migration):
    dependencies = [("automation", "0003_workflows_updated_at_trigger")]

    operations = [migrations.RunSQL(FORWARD, REVERSE)]
