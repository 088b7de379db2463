"""Session state: the view each session sees (Streamlit glue).

View state lives in `st.session_state` under plain keys that outlive a page change, and mirrors into
the URL so any view is a shareable link (app.state.url). The keys a link can carry are
`app.state.url.URL_PARAMS`; the defaults below are what a page shows when neither the session nor the
link says otherwise.
"""

from __future__ import annotations

import streamlit as st

from app.state import url

DEFAULT_MODEL = "bert-minilm-l6"
DEFAULT_PARTNER = "convbert-minilm-l6"
DEFAULT_TEXT = "The animal didn't cross the street because it was too tired."
SEEDED_KEY = "_seeded"  # session key: the URL has been read into this session


def init_session() -> None:
    """Once per session: seed state from the URL. On every run: keep view state across pages,
    and show what could not be used from the URL while the URL still holds it."""
    ss = st.session_state
    if not ss.get(SEEDED_KEY):
        values, notes = url.read_url()
        ss.update(values)
        ss[url.NOTES_KEY] = notes
        ss[SEEDED_KEY] = True
    for key in url.URL_PARAMS:  # re-assigning stops Streamlit from dropping widget state on page change
        if key in ss:
            ss[key] = ss[key]
    url.show_url_notes()
