"""``GET /audit``: the audit trail, filterable, with the chain's verification."""

# FastAPI reads the views' annotations at definition time, where the dependency is in scope.
from datetime import date, datetime, time, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import HTMLResponse

from ketamine_cds.domain.errors import UserInputError
from ketamine_cds.entrypoints.web.presenters.audit_page import audit_view
from ketamine_cds.entrypoints.web.presenters.formatting import WARD_ZONE
from ketamine_cds.entrypoints.web.views.common import Page, Pages, error_page
from ketamine_cds.service.audit_log import AuditFilter, audit_entries


def _day(text: str | None, *, end: bool) -> datetime | None:
    if not text:
        return None
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise UserInputError(f"'{text[:20]}' is not a date (e.g. 2024-03-02)") from None
    start = datetime.combine(day, time(), tzinfo=WARD_ZONE)
    return start + timedelta(days=1) - timedelta(microseconds=1) if end else start


def _episode(text: str | None) -> int | None:
    if not text:
        return None
    if not text.strip().isdigit():
        raise UserInputError(f"'{text[:20]}' is not an episode number")
    return int(text)


def add_routes(router: APIRouter, pages: Pages) -> None:
    """Add the audit page to ``router``."""

    @router.get("/audit", response_class=HTMLResponse, name="audit")
    def audit(  # noqa: PLR0913 - one parameter per filter of the page
        page: Annotated[Page, Depends(pages.page)],
        *,
        actor: str | None = None,
        action: str | None = None,
        episode: str | None = None,
        since: str | None = None,
        until: str | None = None,
        before: int | None = None,
    ) -> HTMLResponse:
        """The entries the filter names, newest first; the chain verified on every view."""
        try:
            wanted = AuditFilter(
                actor=actor or None,
                action=action or None,
                episode=_episode(episode),
                since=_day(since, end=False),
                until=_day(until, end=True),
                before_seq=before,
            )
            listing = audit_entries(page.record, page.user.name, wanted)
        except UserInputError as error:
            return error_page(page, error)
        view = audit_view(listing, wanted)
        return page.answer(
            "pages/audit.html",
            "partials/audit_entries.html",
            a=view,
            section="audit",
            query={
                "actor": actor or "",
                "action": action or "",
                "episode": episode or "",
                "since": since or "",
                "until": until or "",
            },
        )
