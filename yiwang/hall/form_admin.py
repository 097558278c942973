"""(placeholder — owner: helper; see /tmp/brief). Must define `urlpatterns` and, for
workbench and process_admin, `menu_item()` returning a Wagtail MenuItem (shown only to
users who may use it) or None."""

urlpatterns = []


def menu_item():
    return None
