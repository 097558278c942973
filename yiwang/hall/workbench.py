"""(placeholder — owner: helper; see /tmp/brief). Must define `urlpatterns` and, for
workbench and process_admin, `menu_item()` returning a Wagtail MenuItem (shown only to
users who may use it) or None."""

from wagtail.admin.menu import MenuItem

urlpatterns = []


class _Hidden(MenuItem):
    def is_shown(self, request):
        return False


def menu_item():
    return _Hidden("（未启用）", "#")
