"""Counterpart: the headless core (domain, storage, privacy, documents). Never imports PySide6 or ui."""

__version__ = "0.1.0"
APP_NAME = "Counterpart"
