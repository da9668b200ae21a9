"""Consent, retention, subject requests, erasure, breaches and the audit log."""
