"""Gorgias: an internal note, a ticket message on the `internal-note` channel sent by the API
user. `GORGIAS_API_URL` (https://{domain}.gorgias.com), `GORGIAS_API_EMAIL` and `GORGIAS_API_KEY`
(Settings > REST API): basic auth, the email as username and the key as password.

Built from Gorgias's developer docs: "Create a new message in ticket via API"
(https://developers.gorgias.com/docs/create-a-new-message-in-ticket-via-api: `POST
/api/tickets/{ticket_id}/messages`; internal notes are outgoing, `from_agent` true), the reference
"Create a message" (https://developers.gorgias.com/reference/create-ticket-message: `channel` and
`from_agent` required; the internal-note channel adds the message to the ticket without sending
it) and "Access Tokens (API Keys)" (https://developers.gorgias.com/docs/access-tokens-api-keys).
"""

from html import escape
from urllib.parse import quote

from worker.ticket_notes import NoteRequest, TicketNotes


class Helpdesk(TicketNotes):
    provider = "gorgias"

    def request(self, ticket: str, text: str, note_id: str) -> NoteRequest:
        return NoteRequest("POST", f"/api/tickets/{quote(ticket, safe='')}/messages", {
            "channel": "internal-note", "via": "api", "from_agent": True,
            "sender": {"email": self.api["email"]},
            "body_text": text, "body_html": escape(text).replace("\n", "<br>"),
        }, auth=(self.api["email"], self.api["key"]))
