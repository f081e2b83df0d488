"""Re:amaze: an internal note, a message of visibility 1 on the conversation (its slug is the
ticket id). `REAMAZE_API_URL` (https://{brand}.reamaze.io), `REAMAZE_API_EMAIL` and
`REAMAZE_API_TOKEN` (Settings > API Token): basic auth `{login-email}:{api-token}`. The note's id
goes as `origin_id`, which Re:amaze uses to prevent duplicates: an attempt whose answer was lost
does not make a second note.

Built from Re:amaze's API reference, "POST /conversations/{slug}/messages"
(https://www.reamaze.com/api/post_messages: `POST /api/v1/conversations/{slug}/messages` with
`{"message": {"body": ..., "visibility": 1}}`, 1 being Internal Note, `origin_id`, and the
`Accept: application/json` header).
"""

from urllib.parse import quote

from worker.ticket_notes import NoteRequest, TicketNotes


class Helpdesk(TicketNotes):
    provider = "reamaze"

    def request(self, ticket: str, text: str, note_id: str) -> NoteRequest:
        return NoteRequest("POST", f"/api/v1/conversations/{quote(ticket, safe='')}/messages",
                           {"message": {"body": text, "visibility": 1, "origin_id": note_id}},
                           auth=(self.api["email"], self.api["token"]), headers={"Accept": "application/json"})
