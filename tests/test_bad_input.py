"""Bad input gets a clear answer, never a 500: NUL characters, endless searches."""

from django.urls import reverse

from laureates.models import Laureate
from tests.partner_factories import shared


def test_a_nul_character_in_a_url_answers_404(laureate_client):
    assert laureate_client.get("/workshops/calendar/%00.ics").status_code == 404
    assert laureate_client.get(reverse("laureates:home") + "?x=%00").status_code == 404


def test_a_nul_character_in_a_form_is_a_field_error_and_nothing_is_saved(laureate_client, laureate):
    city = laureate.city
    response = laureate_client.post(
        reverse("laureates:edit"), {"city": "Lil\x00le", "phone": laureate.phone}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["city"]
    assert Laureate.objects.get(pk=laureate.pk).city == city


def test_a_partner_search_reads_ten_words_and_says_so(partner_client):
    found = shared(pitch="Passionnée de santé publique")
    words = " ".join(["santé"] + ["publique"] * 30)

    response = partner_client.get(reverse("partners:dashboard"), {"q": words})

    assert response.status_code == 200
    assert found.user.last_name in response.content.decode()
    assert "Seuls les 10 premiers mots" in response.content.decode()
    response = partner_client.get(reverse("partners:dashboard"), {"q": "santé publique"})
    assert "Seuls les 10 premiers mots" not in response.content.decode()
