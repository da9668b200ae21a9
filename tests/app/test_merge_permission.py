"""Who may merge duplicates is app/'s decision (app/crm/duplicates.py): the roles that may erase people,
since a merge removes a record for good. The window asks `may_merge`; `merge` refuses everyone else."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.access.roles import ROLE_PERMISSIONS, Permission, Role
from app.access.session import open_session
from app.access.users import UserService
from app.crm.contacts import ContactInput, ContactService
from app.crm.duplicates import MERGE_PERMISSION, may_merge, merge
from app.errors import PermissionDenied
from app.vault import kdf
from tests.conftest import OWNER, OWNER_PASSWORD


def test_merging_is_for_the_roles_that_may_erase() -> None:
    assert MERGE_PERMISSION is Permission.ERASE
    allowed = {role for role, granted in ROLE_PERMISSIONS.items() if MERGE_PERMISSION in granted}
    assert allowed == {Role.OWNER, Role.MANAGER}


@pytest.mark.parametrize(("role", "allowed"), [(Role.MANAGER, True), (Role.STAFF, False), (Role.AUDITOR, False)])
def test_the_service_agrees_with_may_merge(new_vault: tuple[Path, str], role: Role, allowed: bool) -> None:
    path = new_vault[0]
    owner = open_session(path, OWNER, OWNER_PASSWORD)
    assert may_merge(owner)
    UserService(owner, kdf.CHEAP).add("Kim User", role, "temporary-1")
    ids = ContactService(owner).create_many(
        [ContactInput(given_name="Ana", family_name="Lima"), ContactInput(given_name="Ana", family_name="Lima")],
        source="test",
    )
    owner.vault.close()
    session = open_session(path, "Kim User", "temporary-1")
    UserService(session, kdf.CHEAP).change_own_password("temporary-1", "their-own-pass-9")
    try:
        assert may_merge(session) is allowed
        keep, other = ids
        if allowed:
            merge(session, keep, other)
            assert ContactService(session).search_ids("lima", limit=10) == [keep]
        else:
            with pytest.raises(PermissionDenied):
                merge(session, keep, other)
    finally:
        session.vault.close()
