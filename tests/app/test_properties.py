"""Property tests: whatever a person types or pastes, these never crash or lose information."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.access.session import Session
from app.crm.contacts import ContactInput, ContactService
from app.vault.recovery_key import format_recovery_key, parse_recovery_key


@given(st.binary(min_size=32, max_size=32))
def test_recovery_key_round_trips(key: bytes) -> None:
    text = format_recovery_key(key)
    assert parse_recovery_key(text) == key
    assert parse_recovery_key(text.upper().replace("-", " ")) == key


@pytest.fixture(scope="module")
def search_session(tmp_path_factory: pytest.TempPathFactory) -> Session:  # type: ignore[misc]
    import keyring

    from app.access.session import create_vault
    from app.vault import kdf
    from tests.conftest import NoKeyring

    previous = keyring.get_keyring()
    keyring.set_keyring(NoKeyring())
    path: Path = tmp_path_factory.mktemp("props") / "p.vault"
    session, _ = create_vault(path, "Owner", "owner-pass-1", kdf_params=kdf.CHEAP)
    keyring.set_keyring(previous)
    ContactService(session).create(ContactInput(given_name="Ana", family_name="Núñez"))
    yield session
    session.vault.close()


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=40))
def test_search_accepts_any_text(search_session: Session, query: str) -> None:
    results = ContactService(search_session).search(query, limit=5)
    assert len(results) <= 5
