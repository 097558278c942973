"""(filled in by the identity work; see docs/identity.md)"""

urlpatterns = []
