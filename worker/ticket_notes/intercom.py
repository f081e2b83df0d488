"""Intercom: an admin note, a reply of type `note` on the conversation by the admin
`INTERCOM_API_ADMIN_ID`. `INTERCOM_API_URL` (https://api.intercom.io; https://api.eu.intercom.io
or https://api.au.intercom.io for those regions) and `INTERCOM_API_TOKEN` (the app's access
token): a bearer token.

Built from Intercom's REST API reference, "Reply to a conversation"
(https://developers.intercom.com/docs/references/rest-api/api.intercom.io/conversations/replyconversation:
`POST /conversations/{id}/reply` with `message_type` "note", `type` "admin", `admin_id` and
`body`, which takes some HTML) and the `AdminReplyConversationRequest` type of the official
intercom-client SDK; the `Intercom-Version` header pins the API version.
"""

from html import escape
from urllib.parse import quote

from worker.ticket_notes import NoteRequest, TicketNotes

API_VERSION = "2.11"


class Helpdesk(TicketNotes):
    provider = "intercom"

    def request(self, ticket: str, text: str, note_id: str) -> NoteRequest:
        return NoteRequest("POST", f"/conversations/{quote(ticket, safe='')}/reply", {
            "message_type": "note", "type": "admin", "admin_id": self.api["admin_id"],
            "body": escape(text).replace("\n", "<br>"),
        }, headers={"Authorization": f"Bearer {self.api['token']}", "Intercom-Version": API_VERSION,
                    "Accept": "application/json"})
