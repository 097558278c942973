from django.apps import AppConfig


class AppointmentsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "yiwang.appointments"
    label = "appointments"
    verbose_name = "预约服务"

    def ready(self):
        from wagtail.permissions import register_permission_policy

        from yiwang.core.permissions import read_only_policy

        from .models import Booking, BookingSuspension

        # Bookings and suspensions change only through the actions: the back office lists
        # and inspects them. Registered before Wagtail builds a fallback policy.
        register_permission_policy(Booking, read_only_policy(Booking))
        register_permission_policy(BookingSuspension, read_only_policy(BookingSuspension))
