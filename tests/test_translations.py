"""The interface speaks French first, from a complete catalogue that is committed compiled
(a fresh machine has no gettext to compile it), and English on request."""

import ast
import gettext
import html
import re
from pathlib import Path

import pytest
from django.conf import settings

LOCALE = Path(settings.BASE_DIR) / "locale" / "fr" / "LC_MESSAGES"
PO = LOCALE / "django.po"
MO = LOCALE / "django.mo"


def page(response) -> str:
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def catalogue_entries(path: Path) -> list[dict]:
    """The entries of a .po file: flags, msgctxt, msgid, msgid_plural and msgstr(s)."""
    entries = []
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        entry: dict = {"flags": set(), "msgstr": []}
        key = None
        for line in block.strip().splitlines():
            if line.startswith("#,"):
                entry["flags"] |= {flag.strip() for flag in line[2:].split(",")}
            elif line.startswith("#"):
                continue
            else:
                match = re.match(
                    r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?)\s+(".*")$', line
                )
                if match:
                    key, text = match.group(1), ast.literal_eval(match.group(2))
                    if key.startswith("msgstr"):
                        entry["msgstr"].append(text)
                    else:
                        entry[key] = text
                elif key and line.startswith('"'):
                    text = ast.literal_eval(line)
                    if key.startswith("msgstr"):
                        entry["msgstr"][-1] += text
                    else:
                        entry[key] += text
        if "msgid" in entry:
            entries.append(entry)
    return entries


@pytest.mark.django_db
def test_pages_speak_french_by_default(client):
    content = page(client.get("/accounts/login/"))

    assert '<html lang="fr"' in content
    assert "Se connecter" in content
    assert "Mot de passe oublié" in content
    assert "Log in" not in content


def test_the_french_catalogue_is_complete_and_compiled():
    entries = catalogue_entries(PO)
    header, messages = entries[0], entries[1:]

    assert header["msgid"] == ""
    assert "Language: fr\n" in header["msgstr"][0]
    assert "Plural-Forms: nplurals=2; plural=(n > 1);\n" in header["msgstr"][0]
    assert len(messages) > 100
    assert [m["msgid"] for m in entries if "fuzzy" in m["flags"]] == []
    untranslated = [m["msgid"] for m in messages if not all(m["msgstr"]) or not m["msgstr"]]
    assert untranslated == []
    assert all(len(m["msgstr"]) == 2 for m in messages if "msgid_plural" in m)

    # The committed .mo is the compiled form of this .po: every message is in it.
    with MO.open("rb") as file:
        compiled = gettext.GNUTranslations(file)
    for message in messages:
        if "msgid_plural" in message:
            assert (
                compiled.ngettext(message["msgid"], message["msgid_plural"], 1)
                == (message["msgstr"][0])
            )
            assert (
                compiled.ngettext(message["msgid"], message["msgid_plural"], 2)
                == (message["msgstr"][1])
            )
        elif "msgctxt" in message:
            assert compiled.pgettext(message["msgctxt"], message["msgid"]) == message["msgstr"][0]
        else:
            assert compiled.gettext(message["msgid"]) == message["msgstr"][0]
    assert compiled.gettext("Log in") == "Se connecter"
    assert compiled.gettext("Staff console") == "Console de l’équipe"
    assert compiled.pgettext("laureate status", "alumni") == "ancien"
    assert compiled.ngettext("%(count)d inactive user was not invited.", "", 0).startswith(
        "%(count)d utilisateur inactif"
    )


def test_a_laureate_page_is_in_french(laureate_client):
    content = page(laureate_client.get("/me/"))

    assert '<html lang="fr"' in content
    for words in ("Bonjour Inès", "Mes études", "Filière", "Année d’études", "Se déconnecter"):
        assert words in content
    assert "My studies" not in content


def test_english_is_available(laureate_client):
    laureate_client.cookies["django_language"] = "en"

    content = page(laureate_client.get("/me/"))
    assert '<html lang="en"' in content
    assert "My studies" in content
    assert "Log out" in content
    assert "Mes études" not in content

    laureate_client.logout()
    laureate_client.cookies["django_language"] = "en"
    content = page(laureate_client.get("/accounts/login/"))
    assert '<html lang="en"' in content
    assert "Log in" in content
    assert "Se connecter" not in content
