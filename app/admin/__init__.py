"""Vault chores that span the floors below: verify, rekey, recover, the recovery kit, back up, and restore with
its erasure replay. Only the CLI and the UI call them."""
