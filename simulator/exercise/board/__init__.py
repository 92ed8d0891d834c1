"""The classroom board: the tabletop exercise in the browser, for a facilitator and a room.

Modules: `state` (`Board`: one `exercise.session.Session` driven step by step, saved after
every step, shown as the players' or the facilitator's view), `mapview` (the map's
geometry for the page's SVG), `server` (the Starlette app: ``/room``, ``/control``,
Server-Sent Events, the join token) and ``static/`` (the page, its script and styles;
nothing is fetched from the internet).
"""
