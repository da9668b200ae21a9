"""Capturing consent: a customer's consent panel, the hand-to-customer kiosk, the signature pad."""
