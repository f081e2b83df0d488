"""Zendesk: a private comment, added through the Tickets API's update (a ticket's comments are
only ever created that way). `ZENDESK_API_URL` (https://{subdomain}.zendesk.com),
`ZENDESK_API_EMAIL` and `ZENDESK_API_TOKEN`: basic auth `{email}/token:{token}`.

Built from Zendesk's reference, Ticket Comments, "Creating ticket comments"
(https://developer.zendesk.com/api-reference/ticketing/tickets/ticket_comments/):
`PUT /api/v2/tickets/{id}.json` with `{"ticket": {"comment": {"body": ..., "public": false}}}`,
`-u {email_address}/token:{api_token}`.
"""

from urllib.parse import quote

from worker.ticket_notes import NoteRequest, TicketNotes


class Helpdesk(TicketNotes):
    provider = "zendesk"

    def request(self, ticket: str, text: str, note_id: str) -> NoteRequest:
        return NoteRequest("PUT", f"/api/v2/tickets/{quote(ticket, safe='')}.json",
                           {"ticket": {"comment": {"body": text, "public": False}}},
                           auth=(f"{self.api['email']}/token", self.api["token"]))
