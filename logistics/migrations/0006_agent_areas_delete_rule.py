"""agent_areas.agent_id -> users: ON DELETE CASCADE in PostgreSQL (the areas belong to the agent)."""

from django.db import migrations

FORWARD = """
ALTER TABLE agent_areas DROP CONSTRAINT IF EXISTS agent_areas_agent_id_2363549e_fk_users_id;
ALTER TABLE agent_areas DROP CONSTRAINT IF EXISTS agent_areas_agent_id_fkey;
ALTER TABLE agent_areas ADD CONSTRAINT agent_areas_agent_id_fkey
    FOREIGN KEY (agent_id) REFERENCES users(id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED;
"""

REVERSE = """
ALTER TABLE agent_areas DROP CONSTRAINT IF EXISTS agent_areas_agent_id_fkey;
ALTER TABLE agent_areas DROP CONSTRAINT IF EXISTS agent_areas_agent_id_2363549e_fk_users_id;
ALTER TABLE agent_areas ADD CONSTRAINT agent_areas_agent_id_2363549e_fk_users_id
    FOREIGN KEY (agent_id) REFERENCES users(id) DEFERRABLE INITIALLY DEFERRED;
"""


class Migration(migrations.Migration):
    dependencies = [("logistics", "0005_delivery_attempts_outcomes_agent_areas")]

    operations = [migrations.RunSQL(FORWARD, REVERSE)]
