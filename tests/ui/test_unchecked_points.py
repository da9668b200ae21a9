"""Issue #16: a phone or email an import kept as typed (it did not check out) is marked "(unchecked)" wherever
staff see it, in the customer list, the overview and the editor, so they know to fix it; saved unchanged it stays
unchecked, and typing a valid value in the editor clears the mark everywhere."""

from __future__ import annotations

from app.access.session import Session
from app.crm.contacts import ContactInput, ContactPointInput, ContactService
from tests.ui import test_customers as customers
from tests.ui_helpers import press, type_into, wait_until
from ui.customers.contact_dialog import ContactDialog
from ui.customers.page import CustomersPage


def list_row(page: CustomersPage, name: str) -> list[str]:
    row = next(r for r in range(page.model.rowCount()) if page.model.index(r, 0).data() == name)
    return [page.model.index(row, column).data() for column in range(4)]


def phone_shown(page: CustomersPage) -> str:
    """The overview's phone row ("Phone", or "Phone (mobile)" once the editor gave it its first label)."""
    form = page.detail.overview.form
    for row in range(form.rowCount()):
        label = form.itemAt(row, form.ItemRole.LabelRole)
        field = form.itemAt(row, form.ItemRole.FieldRole)
        if label is not None and field is not None and label.widget().text().startswith("Phone"):
            return str(field.widget().text())
    raise AssertionError("no phone row in the overview")


def phone_row(dialog: ContactDialog):  # type: ignore[no-untyped-def]
    return dialog.phones.rows[0]


def test_an_unchecked_phone_is_marked_until_it_is_corrected(qtbot, owner: Session) -> None:  # type: ignore[no-untyped-def]
    # as an import keeps it: "n/a" is no phone number, the email is fine
    rosa = ContactService(owner).create(
        ContactInput(
            given_name="Rosa",
            family_name="Vidal",
            points=[
                ContactPointInput("email", "rosa.vidal@example.es"),
                ContactPointInput("phone", "n/a", keep_unchecked=True),
            ],
        )
    )
    ContactService(owner).create(
        ContactInput(
            given_name="Tomás",
            family_name="Ortega",
            points=[
                ContactPointInput("email", "no-at-sign", keep_unchecked=True),
                ContactPointInput("phone", "+34612345678"),
            ],
        )
    )
    _main, page = customers._window(qtbot, owner)
    assert list_row(page, "Rosa Vidal")[1:3] == ["rosa.vidal@example.es", "n/a (unchecked)"]
    assert list_row(page, "Tomás Ortega")[1:3] == ["no-at-sign (unchecked)", "+34612345678"]
    customers._open(qtbot, page, "Rosa Vidal")
    assert phone_shown(page) == "n/a (unchecked)"

    # saved unchanged (only her family name corrected), it stays unchecked
    press(qtbot, page.detail.edit_button)
    dialog = next(d for d in page._dialogs if isinstance(d, ContactDialog))
    row = phone_row(dialog)
    assert row.value.text() == "n/a" and row.message.isVisible()
    assert row.message.text().startswith("Unchecked: kept as typed, because it could not be read as a valid phone")
    assert not dialog.emails.rows[0].message.isVisible()  # the checked email has no mark
    customers._shot(qtbot, dialog, "customer-edit-unchecked-phone")
    type_into(qtbot, dialog.family, "Vidal Ruiz")
    press(qtbot, dialog.ok_button)
    wait_until(qtbot, lambda: not dialog.isVisible())
    wait_until(qtbot, lambda: page.detail.record is not None and page.detail.record.family_name == "Vidal Ruiz")
    assert phone_shown(page) == "n/a (unchecked)"

    # typed anew as a valid number: checked, and the mark is gone from the editor, the overview and the list
    press(qtbot, page.detail.edit_button)
    dialog = next(d for d in page._dialogs if isinstance(d, ContactDialog) and d.isVisible())
    row = phone_row(dialog)
    assert row.message.isVisible()
    type_into(qtbot, row.value, "+34 612 000 111")
    assert not row.message.isVisible()
    press(qtbot, dialog.ok_button)
    wait_until(qtbot, lambda: not dialog.isVisible())
    assert [p.normalized for p in ContactService(owner).get(rosa).points if p.kind == "phone"] == ["+34612000111"]
    wait_until(qtbot, lambda: phone_shown(page) == "+34 612 000 111")
    wait_until(qtbot, lambda: list_row(page, "Rosa Vidal Ruiz")[2] == "+34 612 000 111")
