"""Named hooks: an earlier app declares a rule that later apps add to, without importing them.

The app that owns a rule declares its hooks in its ``hooks.py`` (``centres/hooks.py``,
``entries/hooks.py``), and its services ask them. A later app registers a receiver in its
``AppConfig.ready()``::

    withdrawal_blockers.register(live_entries_block_approval_withdrawal)

Every hook's doc names the row lock its caller holds while it asks the receivers. A receiver
reads rows that other services write; each of those writers takes the same lock first, so a
receiver's answer cannot go stale before the caller's transaction commits.
"""

from collections.abc import Callable

from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import autodiscover_modules

_hooks: dict[str, "Hook"] = {}


def receiver_name(func: Callable) -> str:
    return f"{func.__module__}.{func.__qualname__}"


class Hook:
    def __init__(self, name: str, doc: str):
        if name in _hooks:
            raise ImproperlyConfigured(f"The hook {name} is declared twice.")
        self.name = name
        self.doc = doc
        self.receivers: tuple[Callable, ...] = ()
        _hooks[name] = self

    def __repr__(self):
        return f"<Hook {self.name}>"

    def register(self, func: Callable) -> Callable:
        """Add a receiver; registering the same one twice is a mistake and raises."""
        if func in self.receivers:
            raise ImproperlyConfigured(
                f"{receiver_name(func)} is already registered on the hook {self.name}."
            )
        self.receivers = (*self.receivers, func)
        return func

    def first(self, *args, **kwargs):
        """The first receiver's answer that is not empty (a reason, ``True``), else None."""
        for receiver in self.receivers:
            answer = receiver(*args, **kwargs)
            if answer:
                return answer
        return None


def all_hooks() -> dict[str, Hook]:
    """Every hook of every installed app, by name."""
    autodiscover_modules("hooks")
    return dict(sorted(_hooks.items()))
