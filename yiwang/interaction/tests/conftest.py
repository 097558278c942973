import pytest

from yiwang.core.sms import RecordingSmsBackend

from .kit import Kit


@pytest.fixture
def kit(regions, site_group):
    return Kit(regions, site_group)


@pytest.fixture(autouse=True)
def sms(settings):
    settings.SMS_BACKEND = "yiwang.core.sms.RecordingSmsBackend"
    RecordingSmsBackend.clear()
    return RecordingSmsBackend.outbox
