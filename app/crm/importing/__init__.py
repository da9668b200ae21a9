"""Customer import from other tools' CSV exports (Shopify, Google Contacts, Outlook, HubSpot, Mailchimp,
Square, or any CSV with recognisable headers) and from vCard files.

Use `ImportService(session).preview(path)` to show what a file holds, then `.run(path)` to import it.
"""

from app.crm.importing.model import (
    Column,
    ConsentFact,
    DuplicateRow,
    ImportPreview,
    ImportReport,
    ParsedRow,
)
from app.crm.importing.service import FORMATS, ImportService

__all__ = ["FORMATS", "Column", "ConsentFact", "DuplicateRow", "ImportPreview", "ImportReport", "ImportService",
           "ParsedRow"]
