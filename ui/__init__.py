"""The PySide6 desktop app: thin widgets over app/ services."""
