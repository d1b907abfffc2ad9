"""The web app: the demo page with the chat widget, widget.js, clause pages and feedback.

    python -m bot.web --port 8080

Binds to ZHICHENG_HOST (127.0.0.1). Routes:
- `/` a demo information page about the notice, with the widget in the corner;
- `/widget.js` the widget (`<script src=".../widget.js" data-server=... data-title=... data-color=...>`),
  `/static/...` its CSS and the page's files — nothing from a CDN;
- `/clause/<id>` (HTML) and `/api/clause/<id>` (JSON): a clause's full text;
- `POST /api/feedback`: 👍/👎 and "哪里不对" for one answer (bot.feedback);
- `POST /webhooks/rest/webhook`: in development the chat is proxied to Rasa
  (`ZHICHENG_RASA_PORT`, default 5005) so the page talks to one origin; behind nginx that path
  goes to Rasa directly and the widget is the same;
- `/healthz` for the supervisor.
"""
from bot.web.app import create_app

__all__ = ["create_app"]
