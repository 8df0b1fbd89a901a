"""daily_financial_summary: revenue, expenses, refunds and net profit per day.

- total_revenue: financial_transactions of type revenue
- total_expenses: the expenses table plus transactions of type expense (ledger entries such as
  a courier fee tied to an order; recording an expense does not also write a transaction)
- total_refunds: transactions of type refund
- net_profit = total_revenue - total_expenses - total_refunds

The days come from a UNION of both tables' dates, which lets PostgreSQL push a filter such as
`WHERE date >= CURRENT_DATE - INTERVAL '30 days'` down to the date indexes; each day's sums are
then read through those same indexes.
"""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE VIEW daily_financial_summary AS
SELECT
    days.date,
    t.total_revenue,
    (t.ledger_expenses + e.total_expenses)::numeric(14, 2) AS total_expenses,
    t.total_refunds,
    (t.total_revenue - t.ledger_expenses - e.total_expenses - t.total_refunds)::numeric(14, 2) AS net_profit,
    t.revenue_count,
    (t.ledger_expense_count + e.expense_count)::integer AS expense_count,
    t.refund_count
FROM (
    SELECT date FROM financial_transactions
    UNION
    SELECT date FROM expenses
) days
CROSS JOIN LATERAL (
    SELECT COALESCE(sum(ft.amount) FILTER (WHERE ft.type = 'revenue'), 0)::numeric(14, 2) AS total_revenue,
           COALESCE(sum(ft.amount) FILTER (WHERE ft.type = 'expense'), 0)::numeric(14, 2) AS ledger_expenses,
           COALESCE(sum(ft.amount) FILTER (WHERE ft.type = 'refund'), 0)::numeric(14, 2) AS total_refunds,
           count(*) FILTER (WHERE ft.type = 'revenue')::integer AS revenue_count,
           count(*) FILTER (WHERE ft.type = 'expense')::integer AS ledger_expense_count,
           count(*) FILTER (WHERE ft.type = 'refund')::integer AS refund_count
    FROM financial_transactions ft
    WHERE ft.date = days.date
) t
CROSS JOIN LATERAL (
    SELECT COALESCE(sum(ex.amount), 0)::numeric(14, 2) AS total_expenses,
           count(*)::integer AS expense_count
    FROM expenses ex
    WHERE ex.date = days.date
) e;
"""

REVERSE = "DROP VIEW IF EXISTS daily_financial_summary;"


class Migration(migrations.Migration):
    dependencies = [("finance", "0003_foreign_key_delete_rules")]

    operations = [migrations.RunSQL(FORWARD, REVERSE)]
