"""Cards that the apps above laureates add to the laureate's page, /me/.

``laureates`` never imports those apps: each registers a function once, from its
``AppConfig.ready()``, with ``register_home_panel(func)``. ``func(laureate)`` returns None
(nothing to show) or ``{"template": "<app>/<name>.html", "context": {...}}``; /me/ renders
each card in its own grid column, in registration order, the template reading its context
as ``panel``. /me/'s query count is asserted: keep each function to one query.
"""

from collections.abc import Callable

HomePanel = Callable[..., dict | None]

_home_panels: list[HomePanel] = []


def register_home_panel(func: HomePanel) -> HomePanel:
    """Add ``func``'s card to /me/ (registering it twice adds it once)."""
    if func not in _home_panels:
        _home_panels.append(func)
    return func


def home_panels(laureate) -> list[dict]:
    """The cards to show this laureate, from every registered function that has one."""
    return [panel for func in _home_panels if (panel := func(laureate)) is not None]
