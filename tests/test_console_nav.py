"""The console's sidebar of models is written in Python (emergence/templatetags/console_nav.py):
each staff role must see exactly the links Django's own sidebar would show them, in French and
in English, with the list they are on marked as the current one."""

import re

import pytest
from django.template.loader import render_to_string
from django.utils import translation

from emergence.templatetags.console_nav import app_list_html

pytestmark = pytest.mark.django_db

# Console pages with the sidebar (the overview, /admin/, has none), for different roles.
PAGES = [
    "/admin/laureates/laureate/",
    "/admin/workshops/registration/",
    "/admin/partners/offer/",
    "/admin/emergence/user/",
]


def squeezed(markup: str) -> str:
    """The HTML without the white space around its tags (Django's template indents them)."""
    return re.sub(r"\s+<", "<", re.sub(r">\s+", ">", markup.strip()))


def djangos_sidebar(response) -> str:
    return render_to_string(
        "admin/app_list.html",
        {
            "app_list": response.context["available_apps"],
            "show_changelinks": False,
            "request": response.wsgi_request,
        },
    )


@pytest.mark.parametrize("who", ["lead", "referent", "workshops_staff", "partnerships_staff"])
@pytest.mark.parametrize("language", ["fr", "en"])
def test_each_role_sees_the_sidebar_django_would_show_them(client, request, who, language):
    client.force_login(request.getfixturevalue(who))
    compared = 0
    for path in PAGES:
        response = client.get(path, HTTP_ACCEPT_LANGUAGE=language)
        if response.status_code == 403:  # a list this role may not open
            continue
        assert response.status_code == 200, path
        page = response.content.decode()
        with translation.override(language):
            ours = app_list_html(response.context["available_apps"], path)
            assert squeezed(ours) == squeezed(djangos_sidebar(response)), (who, path)
        assert ours in page
        compared += 1
    assert compared, f"{who} opened none of the pages"


def test_the_list_being_read_is_marked_current_in_the_sidebar(lead_client):
    response = lead_client.get("/admin/laureates/laureate/")

    sidebar = re.search(
        r'<nav class="sticky" id="nav-sidebar".*?</nav>', response.content.decode(), re.S
    )
    assert 'class="model-laureate current-model"' in sidebar.group(0)
    assert 'href="/admin/laureates/laureate/" aria-current="page"' in sidebar.group(0)


def test_staff_who_may_open_nothing_are_told_so_as_django_says_it():
    with translation.override("en"):
        django = render_to_string("admin/app_list.html", {"app_list": []})

        assert squeezed(app_list_html([], "/admin/")) == squeezed(django)
        assert "permission" in django
