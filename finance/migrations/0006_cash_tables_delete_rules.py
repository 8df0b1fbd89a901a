"""Delete rules of the cash tables, in PostgreSQL itself.

An agent with remittances or closes cannot be deleted (RESTRICT: they are money records; deactivate
the account instead); a delivery settled by a remittance cannot be deleted; a reversed ledger entry
cannot be deleted. Allocations go with their remittance (CASCADE); the receiving accountant may
leave (SET NULL).
"""

from django.db import migrations

FORWARD = """
ALTER TABLE financial_transactions DROP CONSTRAINT IF EXISTS financial_transactio_reverses_id_398041df_fk_financial;
ALTER TABLE financial_transactions DROP CONSTRAINT IF EXISTS financial_transactions_reverses_id_fkey;
ALTER TABLE financial_transactions ADD CONSTRAINT financial_transactions_reverses_id_fkey
    FOREIGN KEY (reverses_id) REFERENCES financial_transactions(id) ON DELETE RESTRICT DEFERRABLE INITIALLY DEFERRED;

ALTER TABLE remittances DROP CONSTRAINT IF EXISTS remittances_agent_id_a01c1ca6_fk_users_id;
ALTER TABLE remittances DROP CONSTRAINT IF EXISTS remittances_agent_id_fkey;
ALTER TABLE remittances ADD CONSTRAINT remittances_agent_id_fkey
    FOREIGN KEY (agent_id) REFERENCES users(id) ON DELETE RESTRICT DEFERRABLE INITIALLY DEFERRED;

ALTER TABLE remittances DROP CONSTRAINT IF EXISTS remittances_received_by_id_146dbd51_fk_users_id;
ALTER TABLE remittances DROP CONSTRAINT IF EXISTS remittances_received_by_id_fkey;
ALTER TABLE remittances ADD CONSTRAINT remittances_received_by_id_fkey
    FOREIGN KEY (received_by_id) REFERENCES users(id) ON DELETE SET NULL DEFERRABLE INITIALLY DEFERRED;

ALTER TABLE remittance_allocations DROP CONSTRAINT IF EXISTS remittance_allocations_delivery_id_f1fd4124_fk_deliveries_id;
ALTER TABLE remittance_allocations DROP CONSTRAINT IF EXISTS remittance_allocations_delivery_id_fkey;
ALTER TABLE remittance_allocations ADD CONSTRAINT remittance_allocations_delivery_id_fkey
    FOREIGN KEY (delivery_id) REFERENCES deliveries(id) ON DELETE RESTRICT DEFERRABLE INITIALLY DEFERRED;

ALTER TABLE remittance_allocations DROP CONSTRAINT IF EXISTS remittance_allocations_remittance_id_50fc3593_fk_remittances_id;
ALTER TABLE remittance_allocations DROP CONSTRAINT IF EXISTS remittance_allocations_remittance_id_fkey;
ALTER TABLE remittance_allocations ADD CONSTRAINT remittance_allocations_remittance_id_fkey
    FOREIGN KEY (remittance_id) REFERENCES remittances(id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED;

ALTER TABLE agent_cash_closes DROP CONSTRAINT IF EXISTS agent_cash_closes_agent_id_c2bb7720_fk_users_id;
ALTER TABLE agent_cash_closes DROP CONSTRAINT IF EXISTS agent_cash_closes_agent_id_fkey;
ALTER TABLE agent_cash_closes ADD CONSTRAINT agent_cash_closes_agent_id_fkey
    FOREIGN KEY (agent_id) REFERENCES users(id) ON DELETE RESTRICT DEFERRABLE INITIALLY DEFERRED;

ALTER TABLE agent_cash_closes DROP CONSTRAINT IF EXISTS agent_cash_closes_closed_by_id_1a7a1fa3_fk_users_id;
ALTER TABLE agent_cash_closes DROP CONSTRAINT IF EXISTS agent_cash_closes_closed_by_id_fkey;
ALTER TABLE agent_cash_closes ADD CONSTRAINT agent_cash_closes_closed_by_id_fkey
    FOREIGN KEY (closed_by_id) REFERENCES users(id) ON DELETE SET NULL DEFERRABLE INITIALLY DEFERRED;
"""

REVERSE = """
ALTER TABLE financial_transactions DROP CONSTRAINT IF EXISTS financial_transactions_reverses_id_fkey;
ALTER TABLE financial_transactions DROP CONSTRAINT IF EXISTS financial_transactio_reverses_id_398041df_fk_financial;
ALTER TABLE financial_transactions ADD CONSTRAINT financial_transactio_reverses_id_398041df_fk_financial
    FOREIGN KEY (reverses_id) REFERENCES financial_transactions(id) DEFERRABLE INITIALLY DEFERRED;

ALTER TABLE remittances DROP CONSTRAINT IF EXISTS remittances_agent_id_fkey;
ALTER TABLE remittances DROP CONSTRAINT IF EXISTS remittances_agent_id_a01c1ca6_fk_users_id;
ALTER TABLE remittances ADD CONSTRAINT remittances_agent_id_a01c1ca6_fk_users_id
    FOREIGN KEY (agent_id) REFERENCES users(id) DEFERRABLE INITIALLY DEFERRED;

ALTER TABLE remittances DROP CONSTRAINT IF EXISTS remittances_received_by_id_fkey;
ALTER TABLE remittances DROP CONSTRAINT IF EXISTS remittances_received_by_id_146dbd51_fk_users_id;
ALTER TABLE remittances ADD CONSTRAINT remittances_received_by_id_146dbd51_fk_users_id
    FOREIGN KEY (received_by_id) REFERENCES users(id) DEFERRABLE INITIALLY DEFERRED;

ALTER TABLE remittance_allocations DROP CONSTRAINT IF EXISTS remittance_allocations_delivery_id_fkey;
ALTER TABLE remittance_allocations DROP CONSTRAINT IF EXISTS remittance_allocations_delivery_id_f1fd4124_fk_deliveries_id;
ALTER TABLE remittance_allocations ADD CONSTRAINT remittance_allocations_delivery_id_f1fd4124_fk_deliveries_id
    FOREIGN KEY (delivery_id) REFERENCES deliveries(id) DEFERRABLE INITIALLY DEFERRED;

ALTER TABLE remittance_allocations DROP CONSTRAINT IF EXISTS remittance_allocations_remittance_id_fkey;
ALTER TABLE remittance_allocations DROP CONSTRAINT IF EXISTS remittance_allocations_remittance_id_50fc3593_fk_remittances_id;
ALTER TABLE remittance_allocations ADD CONSTRAINT remittance_allocations_remittance_id_50fc3593_fk_remittances_id
    FOREIGN KEY (remittance_id) REFERENCES remittances(id) DEFERRABLE INITIALLY DEFERRED;

ALTER TABLE agent_cash_closes DROP CONSTRAINT IF EXISTS agent_cash_closes_agent_id_fkey;
ALTER TABLE agent_cash_closes DROP CONSTRAINT IF EXISTS agent_cash_closes_agent_id_c2bb7720_fk_users_id;
ALTER TABLE agent_cash_closes ADD CONSTRAINT agent_cash_closes_agent_id_c2bb7720_fk_users_id
    FOREIGN KEY (agent_id) REFERENCES users(id) DEFERRABLE INITIALLY DEFERRED;

ALTER TABLE agent_cash_closes DROP CONSTRAINT IF EXISTS agent_cash_closes_closed_by_id_fkey;
ALTER TABLE agent_cash_closes DROP CONSTRAINT IF EXISTS agent_cash_closes_closed_by_id_1a7a1fa3_fk_users_id;
ALTER TABLE agent_cash_closes ADD CONSTRAINT agent_cash_closes_closed_by_id_1a7a1fa3_fk_users_id
    FOREIGN KEY (closed_by_id) REFERENCES users(id) DEFERRABLE INITIALLY DEFERRED;
"""


class Migration(migrations.Migration):
    dependencies = [("finance", "0005_cash_remittances_expense_categories_reversals")]

    operations = [migrations.RunSQL(FORWARD, REVERSE)]
