"""Settings: the account, shop details, users, security, each a tab of the Settings page (page.py)."""
