from .views import centre, counter, legal, login, sso, staff

app_name = "accounts"
urlpatterns = [
    *login.urlpatterns,
    *sso.urlpatterns,
    *centre.urlpatterns,
    *legal.urlpatterns,
    *staff.urlpatterns,
    *counter.urlpatterns,
]
