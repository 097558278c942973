"""The search's data in the back office: synonym groups (检索同义词), a snippet any user with
the model's permissions may edit (groups get them from the security administrator)."""

from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .models import SynonymGroup


class SynonymGroupViewSet(SnippetViewSet):
    model = SynonymGroup
    icon = "search"
    menu_label = "检索同义词"
    menu_name = "search-synonyms"
    add_to_admin_menu = True
    menu_order = 290
    list_display = ["__str__", "note", "active", "edited_at"]
    list_filter = ["active"]
    search_fields = ["terms", "note"]
    form_fields = ["terms", "note", "active"]


register_snippet(SynonymGroupViewSet)
