"""The portal's static website (Jinja2), its DCAT-AP 3 catalogue and server-side charts."""

from satudata.publish.site.render import render_site

__all__ = ["render_site"]
