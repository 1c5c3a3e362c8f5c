import pytest


@pytest.mark.django_db
def test_anonymous_visitor_is_sent_to_login(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


def test_staff_lands_in_the_admin(staff_client):
    assert staff_client.get("/").url == "/admin/"


def test_laureate_lands_on_their_page(laureate_client):
    assert laureate_client.get("/").url == "/me/"


def test_partner_member_lands_on_the_dashboard(partner_client):
    assert partner_client.get("/").url == "/partners/"


def test_partner_member_cannot_open_a_laureate_page(partner_client):
    assert partner_client.get("/me/").status_code == 403


def test_laureate_cannot_open_the_partner_dashboard(laureate_client):
    assert laureate_client.get("/partners/").status_code == 403
