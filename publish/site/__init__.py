"""The portal's static website (Jinja2), its DCAT-AP 3 catalogue, its CKAN-shaped read API and server-side charts."""

from __future__ import annotations

__all__ = ["render_site", "site_is_current"]


def __getattr__(name: str):  # noqa: ANN202 - render_site, imported when first asked for
    # Not imported eagerly: the CKAN mapping imports this package's dcat module, and the site imports the mapping.
    if name == "site_is_current":   # light: asked by every run
        from satudata.publish.site.mark import site_is_current

        return site_is_current
    if name == "render_site":
        from satudata.publish.site import render

        return render.render_site
    raise AttributeError(name)
