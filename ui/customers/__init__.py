"""The parts of the Customers page: detail tabs, the edit dialog, the undo bar, duplicates and import."""
