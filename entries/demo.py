"""Demo candidates, access arrangements, entries in every state and an allocated moderator."""


def seed(*, password: str, log) -> None:
    log("entries: nothing yet")
