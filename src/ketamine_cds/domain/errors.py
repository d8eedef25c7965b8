"""The two kinds of failure, for their two audiences.

A :class:`UserInputError` is something the user can fix (a weight of 700 kg, a pain score of 11,
an unknown protocol); its message is one sentence saying what is wrong. Anything else that
escapes is a bug in the product and is reported as one.
"""


class UserInputError(ValueError):
    """Input that the product refuses, with one sentence that says why."""


class ProtocolFileError(UserInputError):
    """A protocol file that does not match the published schema."""
