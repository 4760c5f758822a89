"""The adapters to HTTP and the websocket, one module each, at module level (as datasette's
views): :mod:`~control_room.views.api` (the JSON API), :mod:`~control_room.views.session`
(one websocket connection), :mod:`~control_room.views.pages` (the screens). They only
translate: every command goes to :class:`~control_room.dispatch.Dispatcher`, every token
to :class:`~control_room.auth.Auth`, every message through :mod:`control_room.wire`.
"""
