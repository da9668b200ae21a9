"""Settings › Shop: the owner edits the shop profile and the facts letters and the record of processing need."""

from __future__ import annotations

from app.access.shop import ShopService
from app.access.users import UserService
from app.privacy.requests import RequestService
from app.privacy.ropa import RopaService
from tests.ui_helpers import open_session_for_ui, press, shot, shutdown_session, type_into
from ui.session_context import SessionContext
from ui.settings.shop_details import ShopDetailsPage


def test_owner_saves_and_staff_only_reads(qtbot, new_vault) -> None:  # type: ignore[no-untyped-def]
    owner = open_session_for_ui(new_vault[0], "Ana Owner", "owner-pass-1")
    page = ShopDetailsPage(SessionContext(owner))
    qtbot.addWidget(page)
    page.show()
    form = page.profile_form
    type_into(qtbot, form.name, "Flowers & Co")
    form.country.setFocus()
    qtbot.keyClicks(form.country, "Spain")
    assert form.currency.currentText() == "EUR"
    type_into(qtbot, form.privacy_contact, "privacy@flowers.example")
    type_into(qtbot, page.fields["ropa.recipients"], "Payment provider")
    page.pipl_days.setValue(20)
    press(qtbot, page.save_button)
    assert page.message.text() == "Saved."
    shot(page, "settings-shop")
    starts = {page.profile_form.name.mapTo(page, page.profile_form.name.rect().topLeft()).x()}
    starts.add(page.fields["ropa.recipients"].mapTo(page, page.fields["ropa.recipients"].rect().topLeft()).x())
    starts.add(page.pipl_days.mapTo(page, page.pipl_days.rect().topLeft()).x())
    assert len(starts) == 1, starts  # the two forms' fields start in one column
    profile = ShopService(owner).profile()
    assert (profile.name, profile.country, profile.currency, profile.privacy_contact) == (
        "Flowers & Co",
        "ES",
        "EUR",
        "privacy@flowers.example",
    )
    assert RopaService(owner).facts()["ropa.recipients"] == "Payment provider"
    assert RequestService(owner).pipl_days() == 20
    UserService(owner).add("Sam", "staff", "temporary-1")
    shutdown_session(owner)
    staff = open_session_for_ui(new_vault[0], "Sam", "temporary-1")
    UserService(staff).change_own_password("temporary-1", "sams-password")
    read_only = ShopDetailsPage(SessionContext(staff))
    qtbot.addWidget(read_only)
    assert read_only.profile_form.privacy_contact.text() == "privacy@flowers.example"
    assert read_only.profile_form.privacy_contact.isReadOnly() and not read_only.profile_form.country.isEnabled()
    assert not read_only.save_button.isEnabled()
    read_only.clear()
    assert read_only.profile_form.privacy_contact.text() == ""
    shutdown_session(staff)


def test_a_wrong_currency_is_explained_and_nothing_is_saved(qtbot, owner_session) -> None:  # type: ignore[no-untyped-def]
    page = ShopDetailsPage(SessionContext(owner_session))
    qtbot.addWidget(page)
    page.show()
    type_into(qtbot, page.profile_form.currency.lineEdit(), "Euro")
    press(qtbot, page.save_button)
    assert "not a currency code" in page.message.text()
    assert ShopService(owner_session).profile().currency == ""
