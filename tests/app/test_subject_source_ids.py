"""Issue #16: the customer number another tool gave a person (kept by an import to match the next export) is
their data too, so their Art. 15 PDF and their portability ZIP show it. And the contact-details column of the
PDF is not headed "Value", which translators took for money (zh_CN: 金额)."""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from pathlib import Path

import jsonschema
from pypdf import PdfReader

from app.access.session import Session
from app.crm.importing.service import ImportService
from app.documents.access_export import export_subject
from tests.app.test_import import FIXTURES, by_email


def text_of(path: Path) -> str:
    return re.sub(r"\s+", "", "".join(page.extract_text() for page in PdfReader(path).pages))


def test_the_pdf_and_the_zip_show_the_customer_number_from_the_shop(owner_session: Session, tmp_path: Path) -> None:
    ImportService(owner_session).run(FIXTURES / "shopify_customers_export.csv")
    ImportService(owner_session).run(FIXTURES / "mailchimp_subscribed_2019_2026.csv")
    jose = by_email(owner_session, "jose.nunez@example.es").id
    pdf, archive_path = tmp_path / "jose.pdf", tmp_path / "jose.zip"
    export_subject(owner_session, jose, pdf=pdf, zip_path=archive_path, language="en")
    text = text_of(pdf)
    assert "CustomernumberinShopify7210448301122" in text
    assert "Identity:yourname,thecustomernumbersothertoolsgaveyou" in text
    contacts = text[text.index("Contactdetails") : text.index("Organisationsandjobtitles")]
    assert "TypeLabelAddressornumber" in contacts and "Value" not in contacts
    with zipfile.ZipFile(archive_path) as archive:
        data = json.loads(archive.read("data.json"))
        schema = json.loads(archive.read("schema.json"))
        rows = list(csv.DictReader(io.StringIO(archive.read("source_ids.csv").decode("utf-8-sig"))))
    jsonschema.validate(data, schema)
    assert data["source_ids"] == [{"source": "shopify", "name": "Shopify", "id": "7210448301122"}]
    assert rows == [{"source": "shopify", "name": "Shopify", "id": "7210448301122"}]
    priya = by_email(owner_session, "priya.raman@example.in").id
    export_subject(owner_session, priya, pdf=pdf, zip_path=archive_path, language="de")
    assert "Mailchimp9c8b7a6f5e" in text_of(pdf)  # in German too
    with zipfile.ZipFile(archive_path) as archive:
        assert json.loads(archive.read("data.json"))["source_ids"] == [
            {"source": "mailchimp", "name": "Mailchimp", "id": "9c8b7a6f5e"}
        ]


def test_someone_no_tool_knows_has_no_such_row(owner_session: Session, tmp_path: Path) -> None:
    ImportService(owner_session).run(FIXTURES / "generic_contacts.csv")
    someone = owner_session.conn.execute("SELECT min(id) FROM contact").fetchone()[0]
    pdf, archive_path = tmp_path / "p.pdf", tmp_path / "p.zip"
    export_subject(owner_session, someone, pdf=pdf, zip_path=archive_path, language="en")
    assert "Customernumberin" not in text_of(pdf) and "othertools" not in text_of(pdf)
    with zipfile.ZipFile(archive_path) as archive:
        assert json.loads(archive.read("data.json"))["source_ids"] == []
        assert archive.read("source_ids.csv").decode("utf-8-sig").splitlines() == ["source,name,id"]
