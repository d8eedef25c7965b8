"""A page printed to PDF with WeasyPrint: the same HTML and stylesheet, in print media.

The PDF is the page's own template printed, so the order a pharmacist signs and the page a
physician reviewed cannot drift apart. The printer reads only files under the folder it is
given (the pages' static files) and ``data:`` URLs: nothing on the network, nothing else on
disk, whatever the page's text says.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from weasyprint import HTML
from weasyprint.urls import URLFetcher


class LocalFetcher(URLFetcher):  # type: ignore[misc]
    """Fetches ``file:`` URLs inside one folder and ``data:`` URLs; refuses everything else."""

    def __init__(self, root: Path) -> None:
        super().__init__(allowed_protocols=("file", "data"))
        self._root = root.resolve()

    def fetch(self, url: str, headers: dict[str, str] | None = None) -> Any:  # noqa: ANN401 - WeasyPrint's response type
        """The resource at ``url``, if it is a ``data:`` URL or a file under the folder."""
        if url.startswith("file:"):
            path = Path(unquote(urlparse(url).path)).resolve()
            if not path.is_relative_to(self._root):
                raise ValueError(f"the printer reads only files under {self._root}, not {path}")
        return super().fetch(url, headers)


def html_to_pdf(html: str, assets: Path) -> bytes:
    """The PDF of ``html``; its stylesheets and images are read from under ``assets``."""
    document = HTML(
        string=html,
        base_url=assets.resolve().as_uri() + "/",
        url_fetcher=LocalFetcher(assets),
        media_type="print",
    )
    return bytes(document.write_pdf())
