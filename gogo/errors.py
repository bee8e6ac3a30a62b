"""The one error type for library failures that a user can cause (a bad file, a bad option, a run
folder in the wrong state). Library code raises it; only the command line (cli/) turns it into a
message on stderr and an exit status.

More specific errors subclass it where callers need to tell them apart: sgf.GameError (a record
that cannot be read or replayed), board.IllegalMove (a move the rules forbid).
"""


class GogoError(Exception):
    """A failure with a message that names what was wrong (the file, the option, the reason)."""
