"""Events the orders core announces after commit. Automation and integrations subscribe."""

from django.dispatch import Signal

# Sent after the transaction that changed an order's status commits.
# kwargs: order_id, old_status, new_status, actor_id (None for the system), note
order_status_changed = Signal()

# Sent after a new order is committed. kwargs: order_id, source, actor_id
order_created = Signal()

# Sent INSIDE the transaction that changes an order's status, right after the order row is saved
# and before commit: receivers write what must exist exactly when the change does (a ledger entry
# for collected cash), and an exception in a receiver rolls the whole change back.
# kwargs: order (locked, already saved), old_status, new_status, actor (User or None), reason
order_status_changing = Signal()
