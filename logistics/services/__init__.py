"""Writes of logistics: the agent's delivery actions (delivery.py) and dispatch (dispatch.py)."""
