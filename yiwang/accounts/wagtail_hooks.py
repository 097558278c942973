"""The "组织机构" menu of the back office.

Built here because accounts sits on top of orgs (apps depend downward only): this menu holds
both apps' lists. The audit log is in the settings menu (``yiwang.core.wagtail_hooks``).
"""

from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSetGroup

from yiwang.orgs.viewsets import DepartmentViewSet, RegionViewSet, ServiceCentreViewSet

from .oidc_admin import register_oidc_admin
from .viewsets import AgentAuthorizationViewSet, LegalPersonViewSet


class OrganisationGroup(SnippetViewSetGroup):
    menu_label = "组织机构"
    menu_icon = "group"
    menu_name = "organisation"
    menu_order = 250
    items = (
        RegionViewSet,
        DepartmentViewSet,
        ServiceCentreViewSet,
        LegalPersonViewSet,
        AgentAuthorizationViewSet,
    )


register_snippet(OrganisationGroup)

register_oidc_admin()  # docs/oidc.md
