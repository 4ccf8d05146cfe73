"""The templates of the pages (Jinja2, every value HTML-escaped) and their filters."""

from __future__ import annotations

from pathlib import Path

from fastapi.templating import Jinja2Templates

from evidencedb.web import formatting
from evidencedb.web.provenance import description_url, provenance_url

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=HERE / "templates")
assert templates.env.autoescape, "every value on a page is HTML-escaped"
formatting.install(templates.env)
templates.env.globals.update(provenance_url=provenance_url, description_url=description_url)
