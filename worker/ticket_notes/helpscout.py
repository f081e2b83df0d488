"""Help Scout: a note on the conversation. `HELPSCOUT_API_URL` (https://api.helpscout.net),
`HELPSCOUT_API_APP_ID` and `HELPSCOUT_API_APP_SECRET` (Your Profile > My apps > Create My App):
the app's client credentials, exchanged for a bearer token (valid two days) that each worker
process keeps and asks again for when it expires or is refused.

Built from Help Scout's Mailbox API 2.0, "Authentication"
(https://developer.helpscout.com/mailbox-api/overview/authentication/: Client Credentials flow,
`POST /v2/oauth2/token` with `grant_type=client_credentials`, `client_id`, `client_secret`;
`{"token_type": "bearer", "access_token", "expires_in"}`) and "Create Note"
(https://developer.helpscout.com/mailbox-api/endpoints/conversations/threads/note/:
`POST /v2/conversations/{id}/notes` with `text`; 201).
"""

from __future__ import annotations

import time
from urllib.parse import quote

import requests

from worker.outbound import TIMEOUT, Attempt, attempt
from worker.ticket_notes import USER_AGENT, NoteRequest, TicketNotes

# Asked again this long before it expires.
TOKEN_MARGIN_SECONDS = 300
_tokens: dict[tuple[str, str], tuple[str, float]] = {}


class Helpdesk(TicketNotes):
    provider = "helpscout"

    def request(self, ticket: str, text: str, note_id: str) -> NoteRequest:
        return NoteRequest("POST", f"/v2/conversations/{quote(ticket, safe='')}/notes", {"text": text})

    def write(self, session: requests.Session, ticket: str, text: str, note_id: str) -> Attempt:
        for fresh in (False, True):
            token = self._token(session, fresh)
            if isinstance(token, Attempt):
                return token
            call = self.request(ticket, text, note_id)
            result = attempt(session, call.method, f"{self.api['url']}{call.path}", json=call.body,
                             headers={"Authorization": f"Bearer {token}", "User-Agent": USER_AGENT})
            if result.status != 401:
                break
        return result

    def _token(self, session: requests.Session, fresh: bool) -> str | Attempt:
        key = (self.api["url"], self.api["app_id"])
        token, expires = _tokens.get(key, ("", 0.0))
        if token and not fresh and time.time() < expires:
            return token
        try:
            response = session.post(f"{self.api['url']}/v2/oauth2/token", timeout=TIMEOUT, json={
                "grant_type": "client_credentials", "client_id": self.api["app_id"],
                "client_secret": self.api["app_secret"]}, headers={"User-Agent": USER_AGENT})
            answer = response.json() if response.ok else {}
        except (requests.RequestException, ValueError) as error:
            return Attempt(None, f"token: {type(error).__name__}: {error}"[:300])
        if not answer.get("access_token"):
            return Attempt(response.status_code if not response.ok else 502, f"token: {response.text[:280]}")
        expires = time.time() + float(answer.get("expires_in") or 0) - TOKEN_MARGIN_SECONDS
        _tokens[key] = (answer["access_token"], expires)
        return answer["access_token"]
