"""The named work a page hands to `SessionContext.run` (or to an `Operation`), one module per domain.

Each function takes what the work needs, checks nothing itself (app/ services check permissions and audit)
and returns a `Work[T]`: run on a worker, it returns T, which `run` hands to the page's `on_done` typed.
Keeping the work here, out of the pages, keeps what runs off the UI thread in one place per domain (after
Anki's aqt/operations). The modules import app/ services only, never widgets.
"""
