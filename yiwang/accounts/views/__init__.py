"""The pages of accounts, one module per subject; each module lists its own ``urlpatterns``
and ``accounts/urls.py`` joins them under ``/accounts/``."""
