"""Privacy administration tabs: subject requests, retention, backups and the breach register."""
