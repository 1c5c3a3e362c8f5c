"""The activity report form: the core answers plus the extra questions of its version.

One form for drafts and submission: a draft may be incomplete, but every value given
must be valid; submitting also needs the required answers.
"""

import datetime
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from reports.models import (
    ANSWER_FIELDS,
    ANSWER_SECTIONS,
    ANSWER_TEXT_MAX_LENGTH,
    ActivityReport,
    Exams,
    Question,
    QuestionKind,
    SearchChoice,
)
from reports.services import is_answered, required_names

EXTRA_PREFIX = "extra__"

# Scales read as words, not bare numbers.
SCALE_LABELS = {
    "studies_rating": [
        _("1 — very badly"),
        _("2 — badly"),
        _("3 — so-so"),
        _("4 — well"),
        _("5 — very well"),
    ],
    "sponsor_relationship": [
        _("1 — difficult"),
        _("2 — distant"),
        _("3 — correct"),
        _("4 — good"),
        _("5 — excellent"),
    ],
    "project_progress": [
        _("1 — not at all"),
        _("2 — a little"),
        _("3 — somewhat"),
        _("4 — a lot"),
        _("5 — decisively"),
    ],
    "civic_involvement": [
        _("1 — not at all"),
        _("2 — a little"),
        _("3 — regularly"),
        _("4 — a lot"),
        _("5 — very much"),
    ],
    "stress": [
        _("1 — calm"),
        _("2 — a little stressed"),
        _("3 — stressed at times"),
        _("4 — often stressed"),
        _("5 — very stressed"),
    ],
}
GENERIC_SCALE = [_("1 — not at all"), "2", "3", "4", _("5 — completely")]
YES_NO = [(True, _("Yes")), (False, _("No"))]

# The question about the placement a report carries, by its kind.
PLACEMENT_QUESTIONS = {
    "internship": _("Your internship at %(company)s since %(date)s: does it go on?"),
    "work_study": _("Your work-study contract at %(company)s since %(date)s: does it go on?"),
    "job": _("Your job at %(company)s since %(date)s: does it go on?"),
}


def placement_question(placement) -> str:
    """« Votre stage chez Acme depuis le 1 juin 2026 : se poursuit-il ? »"""
    return str(PLACEMENT_QUESTIONS[placement.kind]) % {
        "company": placement.company_name,
        "date": date_format(placement.starts_on, "DATE_FORMAT"),
    }


def has_answer(answers: dict[str, Any]) -> bool:
    """Whether ``valid_answers()`` hold anything typed or chosen: an unticked box is not an
    answer, so a report is not created by opening it and saving nothing."""
    extra = answers.get("extra_answers", {})
    return any(
        is_answered(value) and value is not False
        for name, value in answers.items()
        if name != "extra_answers"
    ) or any(is_answered(value) for value in extra.values())


@dataclass
class Section:
    """One card of the form."""

    key: str
    title: str
    names: list[str]
    note: str = ""
    fields: list = field(default_factory=list)  # bound fields, filled by the form
    carried_over: bool = False


SECTIONS = [
    ("studies", _("Studies"), ""),
    ("sponsor", _("Sponsor"), ""),
    ("project", _("Professional project"), ""),
    ("civic", _("Civic action"), _("How you assess your own involvement this quarter.")),
    (
        "search",
        pgettext_lazy("job search", "Search"),
        _("Submitting your report updates the search that partner companies may see."),
    ),
    (
        "wellbeing",
        _("Wellbeing"),
        _(
            "Only your referent and the programme lead read this section: not the rest of "
            "the team, never your sponsor, never partner companies."
        ),
    ),
    ("extra", _("Questions of this quarter"), ""),
    ("comment", _("Free comment"), ""),
]


def _scale_choices(labels) -> list[tuple[int, str]]:
    return [(n, label) for n, label in enumerate(labels, start=1)]


def _yes_no_field(label, help_text="") -> forms.NullBooleanField:
    return forms.NullBooleanField(
        label=label,
        help_text=help_text,
        required=False,
        widget=forms.RadioSelect(choices=YES_NO),
    )


CONFIDENTIAL_QUESTION_NOTE = _("Confidential: only your referent and the programme lead read it.")


def question_field(question: Question) -> forms.Field:
    """The form field of one extra question (never ``required``: a draft may skip it)."""
    label = question.label
    if question.kind == QuestionKind.SCALE:
        return forms.TypedChoiceField(
            label=label,
            choices=_scale_choices(GENERIC_SCALE),
            coerce=int,
            empty_value=None,
            required=False,
            widget=forms.RadioSelect,
        )
    if question.kind == QuestionKind.YES_NO:
        return _yes_no_field(label)
    if question.kind == QuestionKind.CHOICE:
        options = question.choice_list()
        widget = forms.RadioSelect if len(options) <= 5 else forms.Select
        if widget is forms.Select:
            options = [("", _("Choose…")), *options]
        return forms.ChoiceField(label=label, choices=options, required=False, widget=widget)
    if question.kind == QuestionKind.LONG_TEXT:
        return forms.CharField(
            label=label,
            max_length=ANSWER_TEXT_MAX_LENGTH,
            required=False,
            widget=forms.Textarea(attrs={"rows": 4}),
        )
    return forms.CharField(label=label, max_length=300, required=False)


class ActivityReportForm(forms.ModelForm):
    """``submitting=True`` adds the required answers to the checks of a draft."""

    sponsor_met = _yes_no_field(_("Did you meet your sponsor this quarter?"))

    class Meta:
        model = ActivityReport
        fields = ANSWER_FIELDS
        widgets = {
            "studies_comment": forms.Textarea(attrs={"rows": 3}),
            "sponsor_comment": forms.Textarea(attrs={"rows": 3}),
            "project_next_steps": forms.Textarea(attrs={"rows": 3}),
            "civic_actions": forms.Textarea(attrs={"rows": 3}),
            "search_pitch": forms.Textarea(attrs={"rows": 4}),
            "wellbeing_note": forms.Textarea(attrs={"rows": 3}),
            "comment": forms.Textarea(attrs={"rows": 3}),
            "sponsor_last_met_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "search_starts_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(
        self,
        data=None,
        *,
        instance: ActivityReport,
        questions: list[Question],
        submitting: bool = False,
    ):
        self.questions = questions
        self.submitting = submitting
        super().__init__(data, instance=instance)
        for name, labels in SCALE_LABELS.items():
            self.fields[name].choices = _scale_choices(labels)
            self.fields[name].widget = forms.RadioSelect(choices=self.fields[name].choices)
        self.fields["exams"].choices = list(Exams.choices)
        self.fields["exams"].widget = forms.RadioSelect(choices=Exams.choices)
        self.fields["search_kind"].choices = list(SearchChoice.choices)
        self.fields["search_kind"].widget = forms.RadioSelect(choices=SearchChoice.choices)
        # A report that carries a placement asks whether it goes on, then what comes next.
        self.placement = instance.placement if instance.placement_id else None
        if self.placement is None:
            del self.fields["placement_goes_on"]
        else:
            self.fields["placement_goes_on"] = _yes_no_field(placement_question(self.placement))
            self.fields["search_kind"].label = _("And next, what are you looking for?")
        for name in ["sponsor_meetings", "civic_hours", "search_duration_months"]:
            self.fields[name].widget.attrs.update(min=0, inputmode="numeric")
        for question in questions:
            name = EXTRA_PREFIX + question.key
            self.fields[name] = question_field(question)
            if question.confidential:
                self.fields[name].help_text = CONFIDENTIAL_QUESTION_NOTE
            self.initial[name] = instance.extra_answers.get(question.key)
        self.required = required_names(questions=questions, placement=self.placement is not None)
        for name in self.required:
            # Marked, not ``required``: the browser must let a draft be saved incomplete.
            self.fields[name].label = format_lazy("{} *", self.fields[name].label)
        if data is not None:
            self.data = self._with_stored_answers(data)

    def _with_stored_answers(self, data):
        """Answers missing from the POST keep their stored value instead of being erased.

        A checkbox is the exception: browsers leave an unticked box out of the POST.
        """
        data = data.copy()
        for name, bound in self.fields.items():
            if name in data or isinstance(bound.widget, forms.CheckboxInput):
                continue
            stored = self.get_initial_for_field(bound, name)
            if not is_answered(stored):
                continue
            if isinstance(stored, datetime.date):
                stored = stored.isoformat()
            data[name] = str(stored)
        return data

    def clean_sponsor_last_met_on(self):
        value = self.cleaned_data.get("sponsor_last_met_on")
        if value and value > timezone.localdate():
            raise forms.ValidationError(_("This date is in the future."))
        return value

    def clean(self):
        cleaned = super().clean()
        if self.submitting:
            for name in self.required:
                if name not in self.errors and not is_answered(cleaned.get(name)):
                    self.add_error(
                        name,
                        forms.ValidationError(
                            _("This answer is needed to submit."), code="missing"
                        ),
                    )
        return cleaned

    def valid_answers(self) -> dict[str, Any]:
        """The answers that passed validation, for ``report_save_draft``; invalid ones are
        left out, so they never overwrite what was saved before.

        Requires ``is_valid()`` to have run. "Needed to submit" errors do not make an
        empty answer invalid for a draft.
        """
        data: dict[str, Any] = {}
        extra: dict[str, Any] = {}
        for name in self.fields:
            if name in self.errors:
                if not self._only_missing(name):
                    continue
                value = self.fields[name].clean("")  # empty, as this field's empty value
            else:
                value = self.cleaned_data.get(name)
            if name.startswith(EXTRA_PREFIX):
                extra[name.removeprefix(EXTRA_PREFIX)] = value
            else:
                data[name] = value
        if extra:
            data["extra_answers"] = extra
        return data

    def _only_missing(self, name: str) -> bool:
        return all(error.code == "missing" for error in self.errors.as_data()[name])

    def required_answered(self) -> int:
        return sum(1 for name in self.required if is_answered(self[name].value()))

    def sections(self, *, carried_over: list[str]) -> list[Section]:
        sections = []
        for key, title, note in SECTIONS:
            if key == "extra":
                names = [EXTRA_PREFIX + q.key for q in self.questions]
                if not names:
                    continue
            else:
                names = [name for name in ANSWER_SECTIONS[key] if name in self.fields]
            section = Section(key, title, names, note, carried_over=key in carried_over)
            section.fields = [self[name] for name in names]
            sections.append(section)
        return sections

    def answer_sections(self, *, carried_over: list[str]) -> list[Section]:
        """The same sections as read-only (label, answer) pairs, for a submitted report."""
        sections = self.sections(carried_over=carried_over)
        for section in sections:
            section.fields = [
                (self._plain_label(bound), self._display(bound)) for bound in section.fields
            ]
        return sections

    def _plain_label(self, bound) -> str:
        return self.plain_label(bound)

    def plain_label(self, bound) -> str:
        """The question as shown, without the mark of a required answer."""
        label = str(bound.label)
        return label.removesuffix(" *") if bound.name in self.required else label

    def differences(self, saved: ActivityReport) -> list[tuple[str, str, str, str]]:
        """``(name, question, saved answer, this form's answer)`` for every answer where
        this bound form and the ``saved`` report differ, in the form's order: both versions,
        for the page that learns it was behind. Requires ``is_valid()`` to have run."""
        saved_form = ActivityReportForm(instance=saved, questions=self.questions)
        rows = []
        for name in self.fields:
            if name in self.cleaned_data:
                yours = self._display_value(self.fields[name], self.cleaned_data[name])
            else:
                yours = str(self.data.get(name, ""))
            theirs = self._display(saved_form[name])
            if yours != theirs:
                rows.append((name, self.plain_label(self[name]), theirs, yours))
        return rows

    @classmethod
    def _display(cls, bound) -> str:
        return cls._display_value(bound.field, bound.value())

    @staticmethod
    def _display_value(field, value) -> str:
        if not is_answered(value):
            return ""
        choices = getattr(field, "choices", None)
        if choices:
            for option, label in choices:
                if str(option) == str(value):
                    return str(label)
        if isinstance(value, bool):
            return str(_("Yes") if value else _("No"))
        if isinstance(value, datetime.date):
            return date_format(value, "SHORT_DATE_FORMAT")
        return str(value)
