"""Events about customers, sent after commit. Automation subscribes (customer_tag workflows)."""

from django.dispatch import Signal

# kwargs: customer_id, added (set of tag ids), removed (set of tag ids)
customer_tags_changed = Signal()
