"""Password validation messages in Chinese.

Django's zh-hans catalogue lacks the current wording of the minimum-length message, so
users would read it in English. ``MinimumLengthValidator`` here says it in Chinese; list it
in ``AUTH_PASSWORD_VALIDATORS`` in place of Django's. ``chinese_password_errors`` does the
same for errors already raised by Django's validator.
"""

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError


def too_short_message(min_length):
    return f"密码太短，至少需要 {min_length} 个字符。"


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    def get_error_message(self):
        return too_short_message(self.min_length)

    def get_help_text(self):
        return f"密码至少需要 {self.min_length} 个字符。"


def chinese_password_errors(exc):
    """The messages of a password ``ValidationError``, the too-short one in Chinese."""
    messages = []
    for error in exc.error_list:
        if error.code == "password_too_short":
            messages.append(too_short_message(error.params["min_length"]))
        else:
            messages.extend(error.messages)
    return messages


def validate_password(password, *, user):
    """Django's password validators, with errors on the ``password`` field in Chinese."""
    try:
        password_validation.validate_password(password, user=user)
    except ValidationError as exc:
        raise ValidationError({"password": chinese_password_errors(exc)}) from exc
