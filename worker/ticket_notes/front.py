"""Front: a comment on the conversation (comments are for teammates, never sent). `FRONT_API_URL`
(https://api2.frontapp.com) and `FRONT_API_TOKEN` (Settings > Developers > API tokens, scope
`comments:write`): a bearer token. Without an `author_id` Front posts it as the token's own bot
teammate.

Built from Front's Core API reference, "Add comment"
(https://dev.frontapp.com/reference/add-comment: `POST /conversations/{conversation_id}/comments`
with `body`) and its changelog "Support API owned comments"
(https://dev.frontapp.com/changelog/core-api-support-api-owned-comments: `author_id` optional).
"""

from urllib.parse import quote

from worker.ticket_notes import NoteRequest, TicketNotes


class Helpdesk(TicketNotes):
    provider = "front"

    def request(self, ticket: str, text: str, note_id: str) -> NoteRequest:
        return NoteRequest("POST", f"/conversations/{quote(ticket, safe='')}/comments", {"body": text},
                           headers={"Authorization": f"Bearer {self.api['token']}"})
