"""The web board (`gogo serve`): a Starlette app (app) serving a page that draws the board itself
(static/), one game per page with its one search at a time (session).

May import: every other gogo package.
"""
