"""``copydesk serve``: the web UI and the HTTP API over a store (see ``app``)."""
