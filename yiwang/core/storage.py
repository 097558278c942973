"""Private file storage (``settings.HALL_PRIVATE_ROOT``): outside MEDIA_ROOT, no public URL.
Case files, notices and message screenshots are read only through views that check access
first (the hall's ``views.download`` and workbench, the interaction back office)."""

import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage


class PrivateStorage(FileSystemStorage):
    def __init__(self):
        super().__init__(location=None, base_url=None)

    # Read the setting each time, so tests (and a changed setting) move the folder.
    @property
    def base_location(self):
        return str(settings.HALL_PRIVATE_ROOT)

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    def url(self, name):
        raise ValueError("非公开文件不提供公开地址，请通过有权限的页面下载。")
