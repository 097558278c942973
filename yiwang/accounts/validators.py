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


class CharacterClassesValidator:
    """At least ``min_classes`` of the four kinds of character: upper-case letters,
    lower-case letters, digits, symbols (anything else, including Chinese characters).

    List it in ``AUTH_PASSWORD_VALIDATORS`` after Django's own validators."""

    def __init__(self, min_classes=3):
        self.min_classes = min_classes

    @staticmethod
    def classes_in(password):
        found = set()
        for char in password:
            if "A" <= char <= "Z":
                found.add(0)
            elif "a" <= char <= "z":
                found.add(1)
            elif char.isdigit():
                found.add(2)
            else:
                found.add(3)
        return found

    def validate(self, password, user=None):
        if len(self.classes_in(password)) < self.min_classes:
            raise ValidationError(
                self.get_help_text(),
                code="password_too_few_character_classes",
                params={"min_classes": self.min_classes},
            )

    def get_help_text(self):
        return f"密码须包含大写字母、小写字母、数字、符号四类中的至少 {self.min_classes} 类。"
