"""Events the orders core announces after commit. Automation and integrations subscribe."""

from django.dispatch import Signal

# Sent after the transaction that changed an order's status commits.
# kwargs: order_id, old_status, new_status, actor_id (None for the system), note
order_status_changed = Signal()

# Sent after a new order is committed. kwargs: order_id, source, actor_id
order_created = Signal()
