"""The project's exception root and the permanent failure every part of it may raise."""


class ReplacementError(Exception):
    """Root of every error the project raises on purpose."""


class PermanentFailure(ReplacementError):
    """The request cannot be fulfilled as it stands; retrying will not help.

    The message is the reason a merchant reads in the journal and on the original order.
    """
