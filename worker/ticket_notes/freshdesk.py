"""Freshdesk: a private note. `FRESHDESK_API_URL` (https://{domain}.freshdesk.com) and
`FRESHDESK_API_KEY` (Profile settings > API key): basic auth with the key as username and `X` as
password.

Built from Freshdesk's API v2 reference, "Create a Note" (https://developers.freshdesk.com/api/#add_note_to_a_ticket:
`POST /api/v2/tickets/{id}/notes`, `body` in HTML, `private` true for a note agents only see) and
its Authentication section (`curl -u apikey:X`).
"""

from html import escape
from urllib.parse import quote

from worker.ticket_notes import NoteRequest, TicketNotes


class Helpdesk(TicketNotes):
    provider = "freshdesk"

    def request(self, ticket: str, text: str, note_id: str) -> NoteRequest:
        return NoteRequest("POST", f"/api/v2/tickets/{quote(ticket, safe='')}/notes",
                           {"body": escape(text).replace("\n", "<br>"), "private": True},
                           auth=(self.api["key"], "X"))
