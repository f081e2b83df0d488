"""Kustomer: a note on the conversation (customers never see notes). `KUSTOMER_API_URL`
(https://api.kustomerapp.com in the US; your org's https://{org}.api.kustomerapp.com routes to any
region) and `KUSTOMER_API_KEY` (Settings > Security > API Keys, role
`org.permission.note.create`): a bearer token.

Built from Kustomer's API reference, "Create note within conversation"
(https://developer.kustomer.com/kustomer-api-docs/reference/createanotewithinconversation:
`POST /v1/conversations/{id}/notes` with `body`), "Regions and base URLs"
(https://developer.kustomer.com/docs/get-started/regions-and-base-urls) and "Making requests"
(`Authorization: Bearer <API key>`).
"""

from urllib.parse import quote

from worker.ticket_notes import NoteRequest, TicketNotes


class Helpdesk(TicketNotes):
    provider = "kustomer"

    def request(self, ticket: str, text: str, note_id: str) -> NoteRequest:
        return NoteRequest("POST", f"/v1/conversations/{quote(ticket, safe='')}/notes", {"body": text},
                           headers={"Authorization": f"Bearer {self.api['key']}"})
