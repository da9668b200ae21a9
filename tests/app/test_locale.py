"""The language comes from the environment as gettext reads it; the C/POSIX locales mean English."""

from __future__ import annotations

import pytest

from app.locale import current_language, i18n, set_language
from app.locale.formatting import money

ALL_LOCALE_VARIABLES = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")


@pytest.fixture
def environment(monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    for name in ALL_LOCALE_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


@pytest.mark.parametrize("lang", ["C.UTF-8", "C.utf8", "C", "POSIX", "C.UTF-8@euro"])
def test_the_c_and_posix_locales_mean_english_with_separators(environment, lang: str) -> None:
    environment.setenv("LANG", lang)
    assert set_language(None) == "en"
    assert current_language() == "en"
    assert money(95334200, "EUR") == "€953,342.00"  # babel's en_US_POSIX would give "€953342.00"


@pytest.mark.parametrize(
    ("variables", "expected"),
    [
        ({"LANG": "de_DE.UTF-8"}, "de_DE"),
        ({"LANG": "fr_FR.ISO-8859-15@euro"}, "fr_FR"),
        ({"LANGUAGE": "zh_CN:en", "LANG": "C.UTF-8"}, "zh_CN"),
        ({"LANGUAGE": "C:es", "LANG": "de_DE.UTF-8"}, "es"),
        ({"LC_ALL": "C.UTF-8", "LANG": "de_DE.UTF-8"}, "en"),  # LC_ALL wins, and C means English
        ({"LC_MESSAGES": "es_ES.UTF-8", "LANG": "C.UTF-8"}, "es_ES"),
    ],
)
def test_the_language_is_read_as_gettext_reads_it(environment, variables: dict[str, str], expected: str) -> None:
    for name, value in variables.items():
        environment.setenv(name, value)
    assert i18n._system_languages()[0] == expected


def test_no_locale_variable_at_all_means_english(environment) -> None:
    assert set_language(None) == "en"


def test_a_german_system_formats_money_the_german_way(environment) -> None:
    environment.setenv("LANG", "de_DE.UTF-8")
    assert set_language(None) == "de_DE"
    assert money(95334200, "EUR") == "953.342,00\u00a0€"
