"""The server-free Celery transport: kombu's filesystem transport, with whole-file messages.

kombu's filesystem transport creates a message file and then writes into it. A worker polling
the folder in between moves the still-empty file away, fails to decode it and stops with
"Unrecoverable error: JSONDecodeError" (celery/kombu#1551). Here a message is written to a
hidden file in the same folder and renamed into place, which is atomic, so a worker only ever
sees complete messages. Settings select it with ``CELERY_BROKER_TRANSPORT`` when the broker
URL is ``filesystem://``.
"""

import contextlib
import os
import uuid
from time import monotonic

from kombu.exceptions import ChannelError
from kombu.transport import filesystem
from kombu.utils.encoding import str_to_bytes
from kombu.utils.json import dumps


class Channel(filesystem.Channel):
    def _put(self, queue, payload, **kwargs):
        name = f"{round(monotonic() * 1000)}_{uuid.uuid4()}.{queue}.msg"
        final = os.path.join(self.data_folder_out, name)
        # A dot-file: the reader lists "<anything>.<queue>.msg", which this name never matches.
        partial = os.path.join(self.data_folder_out, f".{name}.part")
        try:
            with open(partial, "wb") as f:
                f.write(str_to_bytes(dumps(payload)))
                f.flush()
                os.fsync(f.fileno())
            os.replace(partial, final)
        except OSError as exc:
            with contextlib.suppress(OSError):
                os.unlink(partial)
            raise ChannelError(f"Cannot add file {final!r} to directory") from exc


class Transport(filesystem.Transport):
    Channel = Channel
