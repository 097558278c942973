"""Public pages of the online hall on every portal, under /banshi/ (CONTRACT — owner:
helper "views")."""

app_name = "hall"
urlpatterns = []
