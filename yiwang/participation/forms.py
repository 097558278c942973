"""Forms of 公众参与: the public's (a comment, a question, a survey response) and the back
office's (moderation, adoption, answers). They collect and coerce; the rules (required
questions, limits, phases) are the actions', whose errors ``add_action_errors`` puts next
to the fields."""

from django import forms

from .actions import APPROVE, REJECT, field_name
from .constants import (
    MAX_ANSWER_LENGTH,
    MAX_COMMENT_LENGTH,
    MAX_FREE_ANSWER_LENGTH,
    MAX_QUESTION_LENGTH,
    MAX_REASON_LENGTH,
    Adoption,
    QuestionKind,
)

WHOLE_DRAFT = ""
INVALID_CHOICE = {"invalid_choice": "请选择列出的选项。"}


def _textarea(rows, max_length):
    return forms.Textarea(attrs={"rows": rows, "maxlength": max_length})


class CommentForm(forms.Form):
    article = forms.ChoiceField(label="意见针对", required=False, error_messages=INVALID_CHOICE)
    text = forms.CharField(
        label="意见内容",
        required=False,
        widget=_textarea(8, MAX_COMMENT_LENGTH),
        help_text=f"最多 {MAX_COMMENT_LENGTH} 个字。"
        "请围绕征求意见稿提出具体意见和建议，并说明理由。",
    )
    anonymous = forms.BooleanField(label="匿名发表（公开时显示为“匿名网友”）", required=False)

    def __init__(self, *args, page, **kwargs):
        super().__init__(*args, **kwargs)
        self.articles = {str(a.pk): a for a in page.articles.all()}
        self.fields["article"].choices = [
            (WHOLE_DRAFT, "征求意见稿整体"),
            *((pk, article.label) for pk, article in self.articles.items()),
        ]

    def chosen_article(self):
        return self.articles.get(self.cleaned_data.get("article") or "")


class QuestionForm(forms.Form):
    text = forms.CharField(
        label="您的问题",
        required=False,
        widget=_textarea(5, MAX_QUESTION_LENGTH),
        help_text=f"最多 {MAX_QUESTION_LENGTH} 个字。问题经审核后公开，由嘉宾在访谈中回答。",
    )
    anonymous = forms.BooleanField(label="匿名提问（公开时显示为“匿名网友”）", required=False)


class SurveyForm(forms.Form):
    """One field per question, ``q_<id>``: radio buttons, check boxes or a text area."""

    def __init__(self, *args, questions, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = list(questions)
        for number, question in enumerate(self.questions, start=1):
            label = f"{number}. {question.text}"
            choices = [(str(i), option) for i, option in enumerate(question.option_list)]
            if question.kind == QuestionKind.SINGLE:
                field = forms.ChoiceField(
                    label=label,
                    choices=choices,
                    required=False,
                    widget=forms.RadioSelect,
                    error_messages=INVALID_CHOICE,
                )
            elif question.kind == QuestionKind.MULTIPLE:
                field = forms.MultipleChoiceField(
                    label=label,
                    choices=choices,
                    required=False,
                    widget=forms.CheckboxSelectMultiple,
                    error_messages=INVALID_CHOICE,
                )
            else:
                field = forms.CharField(
                    label=label, required=False, widget=_textarea(4, MAX_FREE_ANSWER_LENGTH)
                )
            field.question = question
            field.help_text = question.help
            field.note = ""
            if question.kind == QuestionKind.MULTIPLE:
                field.note = (
                    f"可多选，最多选 {question.max_choices} 项"
                    if question.max_choices
                    else "可多选"
                )
            self.fields[field_name(question)] = field

    def rows(self):
        """``(question, bound field)`` in order, for the template."""
        return [(q, self[field_name(q)]) for q in self.questions]

    def answers(self):
        return {q.pk: self.cleaned_data.get(field_name(q)) for q in self.questions}


# The back office --------------------------------------------------------------------------


class ModerationForm(forms.Form):
    decision = forms.ChoiceField(
        label="审核结果",
        choices=[(APPROVE, "通过（公开）"), (REJECT, "不通过")],
        widget=forms.RadioSelect,
        error_messages={"required": "请选择审核结果。", **INVALID_CHOICE},
    )
    reason = forms.CharField(
        label="理由",
        required=False,
        widget=_textarea(2, MAX_REASON_LENGTH),
        help_text="不通过时必填，提交人可以看到。",
    )


class AdoptionForm(forms.Form):
    outcome = forms.ChoiceField(
        label="采纳情况",
        choices=[("", "（未填写）"), *Adoption.choices],
        required=False,
        error_messages=INVALID_CHOICE,
    )
    reason = forms.CharField(
        label="采纳说明",
        required=False,
        widget=_textarea(2, MAX_REASON_LENGTH),
        help_text="部分采纳、未采纳时必填，随意见采纳情况公开。",
    )


class HostQuestionForm(forms.Form):
    text = forms.CharField(
        label="主持人提问", widget=_textarea(3, MAX_QUESTION_LENGTH), required=False
    )


class AnswerForm(forms.Form):
    guest = forms.ChoiceField(label="回答嘉宾", required=False, error_messages=INVALID_CHOICE)
    text = forms.CharField(label="回答内容", widget=_textarea(4, MAX_ANSWER_LENGTH), required=False)

    def __init__(self, *args, guests, **kwargs):
        super().__init__(*args, **kwargs)
        self.guests = {str(g.pk): g for g in guests}
        self.fields["guest"].choices = [
            ("", "请选择"),
            *((pk, g.label) for pk, g in self.guests.items()),
        ]

    def chosen_guest(self):
        return self.guests.get(self.cleaned_data.get("guest") or "")
