"""The extra questions of a period: versioned questionnaires and their questions (the
functions that copy a version are in reports/questionnaires.py)."""

from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _


class Questionnaire(models.Model):
    """A version of the extra questions. Frozen once a submitted report has used it."""

    name = models.CharField(_("name"), max_length=100)
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    based_on = models.ForeignKey(
        "self",
        verbose_name=_("copied from"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="copies",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("questionnaire")
        verbose_name_plural = _("questionnaires")
        ordering = ["name", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["name", "version"], name="questionnaire_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"

    @property
    def is_frozen(self) -> bool:
        from reports.models.activity_reports import ReportStatus  # imports this module

        return self.reports.exclude(status=ReportStatus.DRAFT).exists()


class QuestionKind(models.TextChoices):
    SCALE = "scale", _("scale 1–5")
    YES_NO = "yes_no", _("yes / no")
    SHORT_TEXT = "short_text", _("short text")
    LONG_TEXT = "long_text", _("long text")
    CHOICE = "choice", _("choice")


class Question(models.Model):
    questionnaire = models.ForeignKey(
        Questionnaire,
        verbose_name=_("questionnaire"),
        on_delete=models.CASCADE,
        related_name="questions",
    )
    key = models.SlugField(
        _("key"),
        max_length=50,
        help_text=_("Stable across years: answers to the same key are compared."),
    )
    label_fr = models.CharField(_("label in French"), max_length=300)
    label_en = models.CharField(_("label in English"), max_length=300)
    kind = models.CharField(_("type"), max_length=12, choices=QuestionKind.choices)
    choices = models.TextField(
        _("choices"),
        blank=True,
        help_text=_("For a choice: one per line, as “value | French label | English label”."),
    )
    required = models.BooleanField(_("required"), default=False)
    confidential = models.BooleanField(
        _("confidential"),
        default=False,
        help_text=_(
            "Like the wellbeing answers: read only by the laureate, their referent and the "
            "programme lead; other staff see that it was answered, never the answer."
        ),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["questionnaire", "position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["questionnaire", "key"], name="question_key_unique_in_questionnaire"
            )
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        english = (translation.get_language() or "fr").startswith("en")
        return self.label_en if english and self.label_en else self.label_fr

    def choice_list(self) -> list[tuple[str, str]]:
        """[(value, label in the active language)] from the ``choices`` text."""
        english = (translation.get_language() or "fr").startswith("en")
        options = []
        for line in self.choices.splitlines():
            parts = [part.strip() for part in line.split("|")]
            if not parts[0]:
                continue
            french = parts[1] if len(parts) > 1 and parts[1] else parts[0]
            label = parts[2] if english and len(parts) > 2 and parts[2] else french
            options.append((parts[0], label))
        return options
