"""Customer import from other tools' CSV exports (Shopify, Google Contacts, Outlook, HubSpot, Mailchimp,
Square, or any CSV with recognisable headers) and from vCard files.

Use `service.ImportService(session).preview(path)` to show what a file holds, then `.run(path)` to import it.
"""
