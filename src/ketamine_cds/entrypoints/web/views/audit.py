"""``GET /audit``: the audit trail, filterable, with the chain's verification."""

# FastAPI reads the views' annotations at definition time, where the dependency is in scope.
from datetime import date, datetime, time, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import HTMLResponse

from ketamine_cds.domain.errors import UserInputError
from ketamine_cds.domain.record import StoredEvent
from ketamine_cds.domain.roles import NotPermittedError
from ketamine_cds.entrypoints.web.presenters.audit_page import audit_view, event_of
from ketamine_cds.entrypoints.web.presenters.formatting import WARD_ZONE
from ketamine_cds.entrypoints.web.views.common import Page, Pages, error_page
from ketamine_cds.service.audit_reading import AuditPage, AuditQuery, read_audit
from ketamine_cds.service.audit_trail import verify_audit
from ketamine_cds.service.record_queries import show_episode

PAGE_SIZE = 100
Text = Annotated[str | None, Query(max_length=200)]


def _day(text: str | None, *, end: bool) -> datetime | None:
    if not text:
        return None
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise UserInputError(f"'{text[:20]}' is not a date (e.g. 2024-03-02)") from None
    start = datetime.combine(day, time(), tzinfo=WARD_ZONE)
    return start + timedelta(days=1) if end else start


def _episode(text: str | None) -> int | None:
    if not text:
        return None
    if not text.strip().isdigit():
        raise UserInputError(f"'{text[:20]}' is not an episode number")
    return int(text)


def _events(page: Page, listed: AuditPage) -> dict[tuple[int, int], StoredEvent]:
    """The events the listed entries name, read with the episodes they belong to."""
    named = {where for e in listed.entries if (where := event_of(e)) is not None}
    found: dict[tuple[int, int], StoredEvent] = {}
    for episode_id in sorted({episode for episode, _ in named}):
        try:
            detail = show_episode(page.record, page.user.name, episode_id)
        except (NotPermittedError, UserInputError):
            continue  # an admin reads the trail but no episode; a row may be gone (see chain)
        found.update({(episode_id, e.position): e for e in detail.events})
    return found


def add_routes(router: APIRouter, pages: Pages) -> None:
    """Add the audit page to ``router``."""

    @router.get("/audit", response_class=HTMLResponse, name="audit")
    def audit(  # noqa: PLR0913 - one parameter per filter of the page
        page: Annotated[Page, Depends(pages.page)],
        *,
        actor: Text = None,
        action: Text = None,
        episode: Text = None,
        since: Text = None,
        until: Text = None,
        offset: Annotated[int, Query(ge=0, le=10**9)] = 0,
    ) -> HTMLResponse:
        """The entries the filter names, newest first; the chain verified on every view."""
        try:
            number = _episode(episode)
            query = AuditQuery(
                actor=actor or None,
                action=action or None,
                subject=None if number is None else f"episode/{number}",
                since=_day(since, end=False),
                until=_day(until, end=True),
                limit=PAGE_SIZE,
                offset=offset,
            )
            listed = read_audit(page.record, page.user.name, query)
            report = verify_audit(page.record, page.user.name)
        except UserInputError as error:
            return error_page(page, error)
        view = audit_view(listed, report, _events(page, listed), episode=number)
        filters = {
            "actor": actor or "",
            "action": action or "",
            "episode": episode or "",
            "since": since or "",
            "until": until or "",
        }
        return page.answer(
            "pages/audit.html",
            "partials/audit_entries.html",
            a=view,
            section="audit",
            query=filters,
        )
