"""Settings › Shop: the owner records the facts letters and the record of processing need."""

from __future__ import annotations

from app.access.users import UserService
from app.privacy.ropa import RopaService
from tests.ui_helpers import open_session_for_ui, shutdown_session
from ui.pages.shop_details import ShopDetailsPage
from ui.session_context import SessionContext


def test_owner_saves_and_staff_only_reads(qtbot, new_vault) -> None:  # type: ignore[no-untyped-def]
    owner = open_session_for_ui(new_vault[0], "Ana Owner", "owner-pass-1")
    page = ShopDetailsPage(SessionContext(owner))
    qtbot.addWidget(page)
    page.fields["shop.contact"].setText("privacy@flowers.example")
    page.pipl_days.setValue(20)
    page.save()
    assert RopaService(owner).facts()["shop.contact"] == "privacy@flowers.example"
    from app.privacy.requests import RequestService
    assert RequestService(owner).pipl_days() == 20
    UserService(owner).add("Sam", "staff", "temporary-1")
    shutdown_session(owner)
    staff = open_session_for_ui(new_vault[0], "Sam", "temporary-1")
    UserService(staff).change_own_password("temporary-1", "sams-password")
    read_only = ShopDetailsPage(SessionContext(staff))
    qtbot.addWidget(read_only)
    assert read_only.fields["shop.contact"].text() == "privacy@flowers.example"
    assert read_only.fields["shop.contact"].isReadOnly() and not read_only.save_button.isEnabled()
    read_only.clear()
    assert read_only.fields["shop.contact"].text() == ""
    shutdown_session(staff)
