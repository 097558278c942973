"""Sending SMS through a pluggable backend (``settings.SMS_BACKEND``).

A real gateway's backend subclasses ``BaseSmsBackend`` and implements ``send``. The demo
prints messages (``ConsoleSmsBackend``) or appends them to a file (``FileSmsBackend``,
``YIWANG_SMS_FILE``); tests use ``RecordingSmsBackend``, which keeps what it was asked to
send in ``RecordingSmsBackend.outbox``. Send after the transaction commits
(``transaction.on_commit``): a rolled-back write must not have texted anyone.
"""

import json
import os
import sys
import threading
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string


@dataclass(frozen=True)
class SmsMessage:
    mobile: str
    text: str
    sent_at: datetime


class SmsError(Exception):
    """The gateway refused or could not be reached; the message was not sent."""


class BaseSmsBackend:
    def send(self, message: SmsMessage) -> None:
        raise NotImplementedError


class ConsoleSmsBackend(BaseSmsBackend):
    def send(self, message):
        print(f"[短信 SMS → {message.mobile}] {message.text}", file=sys.stdout, flush=True)


class FileSmsBackend(BaseSmsBackend):
    def send(self, message):
        path = os.environ.get("YIWANG_SMS_FILE") or str(settings.DATA_DIR / "sms.jsonl")
        line = json.dumps(
            {
                "mobile": message.mobile,
                "text": message.text,
                "sent_at": message.sent_at.isoformat(),
            },
            ensure_ascii=False,
        )
        with open(path, "a", encoding="utf-8") as handle:
            handle.write(line + "\n")


class RecordingSmsBackend(BaseSmsBackend):
    """The tests' fake: records every message, sends nothing."""

    outbox: list[SmsMessage] = []
    _lock = threading.Lock()

    def send(self, message):
        with self._lock:
            RecordingSmsBackend.outbox.append(message)

    @classmethod
    def clear(cls):
        with cls._lock:
            cls.outbox.clear()

    @classmethod
    def last_to(cls, mobile):
        for message in reversed(cls.outbox):
            if message.mobile == mobile:
                return message
        return None


def get_backend():
    return import_string(settings.SMS_BACKEND)()


def send_sms(*, mobile, text):
    get_backend().send(SmsMessage(mobile=mobile, text=text, sent_at=timezone.now()))
