"""The dashboard: today at a glance (page.py)."""
