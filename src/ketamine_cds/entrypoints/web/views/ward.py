"""``GET /``: the ward board of every active infusion."""

# FastAPI reads the views' annotations at definition time, where the dependency is in scope.
from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import HTMLResponse

from ketamine_cds.entrypoints.web.presenters.ward_board import ward_board
from ketamine_cds.entrypoints.web.views.common import Page, Pages
from ketamine_cds.service.record_queries import ward_episodes


def add_routes(router: APIRouter, pages: Pages) -> None:
    """Add the ward board to ``router``."""

    @router.get("/", response_class=HTMLResponse, name="ward_board")
    def board(page: Annotated[Page, Depends(pages.page)]) -> HTMLResponse:
        """Every active infusion, the most urgent first."""
        view = ward_board(ward_episodes(page.record, page.user.name), page.now)
        return page.answer(
            "pages/ward_board.html", "partials/ward_board.html", b=view, section="board"
        )
