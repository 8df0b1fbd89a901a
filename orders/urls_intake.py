"""Routes of the new-order page, the confirmation queue, calls and item edits."""

urlpatterns: list = []
