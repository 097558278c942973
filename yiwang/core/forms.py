"""Forms of the core app's back office, and the one way every view puts an action's
errors onto its form."""

from django import forms

from .holiday_notice import NoticeParseError, parse_notice


class DescribedErrorsMixin:
    """Ties each field's errors (``<id>_error``) and help text (``<id>_helptext``) to its
    input with ``aria-describedby`` and marks the input invalid: for any form whose
    template renders them with those ids (accounts/includes/form_fields.html,
    monitoring/includes/field.html)."""

    def add_error(self, field, error):
        super().add_error(field, error)
        for name in list(self.errors):
            if name in self.fields:
                bound = self[name]
                ids = [f"{bound.auto_id}_error"]
                if self.fields[name].help_text:
                    ids.insert(0, f"{bound.auto_id}_helptext")
                self.fields[name].widget.attrs["aria-describedby"] = " ".join(ids)
                self.fields[name].widget.attrs["aria-invalid"] = "true"


class HolidayNoticeForm(forms.Form):
    """The State Council's notice for a year, pasted: its title, address and text. The
    parsed days are ``parsed`` once the form is valid."""

    notice_title = forms.CharField(label="通知标题", max_length=200)
    notice_url = forms.URLField(
        label="通知网址",
        max_length=500,
        required=False,
        assume_scheme="https",
        help_text="中国政府网上通知的网址",
    )
    text = forms.CharField(
        label="通知正文",
        widget=forms.Textarea(attrs={"rows": 14}),
        help_text="粘贴通知全文或其中各节假日的安排，例如“一、元旦：1月1日（周五）至3日（周日）"
        "放假，共3天。”“2月20日（周六）上班。”",
    )

    def __init__(self, *args, year, **kwargs):
        super().__init__(*args, **kwargs)
        self.year = year
        self.parsed = None

    def clean(self):
        data = super().clean()
        if data.get("text"):
            try:
                self.parsed = parse_notice(data["text"], year=self.year)
            except NoticeParseError as exc:
                raise forms.ValidationError(f"无法读出通知中的日期：{exc}") from exc
        return data


def add_action_errors(form, exc):
    """An action's ``ValidationError`` onto ``form``: each field's errors next to the field
    when the form has it, the rest (and an error naming no field) at the top."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc)
