"""« Mes données »: the person's download (JSON and XLSX, prepared in the background, a link
by e-mail valid ``DATA_EXPORT_DAYS``), their erasure request and the lead's decision, and
``emergence``'s own part of the personal data: the account, the e-mails, the sign-in logs.

The interface the apps register with is :mod:`emergence.personal_data`.
"""

import datetime
import json
import re
from io import BytesIO

from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from emergence.accounts import user_sign_out_everywhere
from emergence.models import (
    BackgroundJob,
    DataExport,
    ErasureRequest,
    ErasureStatus,
    OutboxEmail,
    OutboxStatus,
)
from emergence.outbox import MAX_ATTEMPTS, outbox_enqueue
from emergence.personal_data import (
    Export,
    PersonalDataPart,
    RetentionRule,
    erased_email,
    identity_terms,
    person_anonymise,
    personal_data_export,
    retention_cutoff,
)
from emergence.roles import staff_with_permission
from emergence.spreadsheets import neutralise

DECIDE_ERASURE = "emergence.decide_erasurerequest"

# The download ------------------------------------------------------------------------------


def data_export_request(*, user) -> DataExport:
    """Queue the preparation of the person's files; a download still being prepared is reused,
    so a double click prepares one."""
    now = timezone.now()
    waiting = DataExport.objects.filter(owner=user, ready_at=None, expires_at__gt=now).first()
    if waiting is not None:
        return waiting
    export = DataExport.objects.create(
        owner=user, expires_at=now + datetime.timedelta(days=settings.DATA_EXPORT_DAYS)
    )
    from emergence.tasks import build_data_export

    transaction.on_commit(lambda: build_data_export.delay(export.pk))
    return export


def data_export_build(*, pk: int) -> DataExport | None:
    """Write the files of download ``pk``, in the owner's language, and e-mail them the link.
    Safe to run twice: a download that is ready is left as it is."""
    with transaction.atomic():
        export = (
            DataExport.objects.select_for_update().select_related("owner").filter(pk=pk).first()
        )
        if export is None or export.is_ready:
            return export
        user, now = export.owner, timezone.now()
        with translation.override(user.language or settings.LANGUAGE_CODE):
            sections = personal_data_export(user=user)
            export.json_file = export_json(user=user, sections=sections, now=now)
            export.xlsx_file = export_xlsx(sections=sections)
        export.ready_at = now
        export.expires_at = now + datetime.timedelta(days=settings.DATA_EXPORT_DAYS)
        export.save(update_fields=["json_file", "xlsx_file", "ready_at", "expires_at"])
        page = settings.SITE_URL + reverse("personal_data")
        outbox_enqueue(
            key=f"data-export:{export.pk}",
            kind="data-export",
            user=user,
            template="data_export_ready",
            context={
                "first_name": user.first_name,
                "url": page,
                "json_url": settings.SITE_URL
                + reverse("personal_data_file", args=[export.token, "json"]),
                "xlsx_url": settings.SITE_URL
                + reverse("personal_data_file", args=[export.token, "xlsx"]),
                "expires_at": export.expires_at,
                "days": settings.DATA_EXPORT_DAYS,
            },
        )
    return export


def data_export_for(*, user, token: str, now: datetime.datetime | None = None):
    """The owner's ready, unexpired download with this token, or None (someone else's, an
    expired one or a wrong token all look the same: not found)."""
    return DataExport.objects.filter(
        owner=user, token=token, ready_at__isnull=False, expires_at__gt=now or timezone.now()
    ).first()


def export_json(*, user, sections: Export, now: datetime.datetime) -> bytes:
    document = {
        "programme": "Emergence",
        "person": user.email,
        "generated_at": now,
        "language": translation.get_language(),
        "sections": sections,
    }
    return json.dumps(document, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2).encode()


_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def export_xlsx(*, sections: Export) -> bytes:
    """One sheet per section, its column titles in bold on the first row; cells a spreadsheet
    would run as a formula are neutralised."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    used: set[str] = set()
    for title, rows in sections.items():
        sheet = workbook.create_sheet(_sheet_title(title, used))
        headers = list(dict.fromkeys(key for row in rows for key in row))
        if not rows:
            sheet.append([_("Nothing recorded")])
            continue
        sheet.append(headers)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in rows:
            sheet.append([_cell(row.get(header)) for header in headers])
        sheet.freeze_panes = "A2"
        for index, header in enumerate(headers, start=1):
            longest = max([len(str(header))] + [len(str(row.get(header) or "")) for row in rows])
            sheet.column_dimensions[sheet.cell(1, index).column_letter].width = min(
                max(12, longest + 2), 60
            )
    if not workbook.worksheets:
        workbook.create_sheet(_("Nothing recorded")[:31])
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _sheet_title(title: str, used: set[str]) -> str:
    base = _SHEET_FORBIDDEN.sub(" ", str(title)).strip()[:31] or "-"
    candidate, n = base, 2
    while candidate.lower() in used:
        suffix = f" ({n})"
        candidate, n = base[: 31 - len(suffix)] + suffix, n + 1
    used.add(candidate.lower())
    return candidate


def _cell(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).replace(tzinfo=None, microsecond=0)
    if isinstance(value, (list, dict)):
        value = json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False)
    return neutralise(value)


# Erasure requests ----------------------------------------------------------------------------


def erasure_request(*, user, reason: str = "") -> ErasureRequest:
    """The person asks for their data to be erased; whoever decides (the programme lead) is told
    by e-mail. A request already waiting is returned as it is."""
    waiting = user.erasure_requests.filter(status=ErasureStatus.PENDING).first()
    if waiting is not None:
        return waiting
    with transaction.atomic():
        erasure = ErasureRequest.objects.create(user=user, reason=reason.strip()[:2000])
        url = settings.SITE_URL + reverse(
            "admin:emergence_erasurerequest_change", args=[erasure.pk]
        )
        for decider in _deciders():
            outbox_enqueue(
                key=f"erasure-requested:{erasure.pk}:user-{decider.pk}",
                kind="erasure",
                user=decider,
                template="erasure_requested",
                context={"first_name": decider.first_name, "url": url},
            )
    return erasure


def _deciders() -> list:
    deciders = list(staff_with_permission(DECIDE_ERASURE, include_superusers=False))
    if not deciders:  # no programme lead yet: the technical administrator
        deciders = list(get_user_model().objects.filter(is_superuser=True, is_active=True))
    return deciders


def erasure_may_decide(*, erasure: ErasureRequest, by) -> bool:
    """The programme lead decides; only a superuser decides about a superuser's account."""
    if not (by.is_active and by.is_staff and by.has_perm(DECIDE_ERASURE)):
        return False
    return by.is_superuser or not erasure.user.is_superuser


def erasure_approve(*, erasure: ErasureRequest, by) -> ErasureRequest:
    """Approve the request and erase the person at once: their identity and free text go from
    every table, their account is closed (:func:`person_anonymise`)."""
    if not erasure_may_decide(erasure=erasure, by=by):
        raise ValidationError(_("You may not decide on this request."))
    with transaction.atomic():
        _decide(erasure, status=ErasureStatus.APPROVED, decided_by=by)
        person_anonymise(user=erasure.user)
    erasure.refresh_from_db()
    return erasure


def erasure_refuse(*, erasure: ErasureRequest, by, reason: str) -> ErasureRequest:
    """Refuse the request with a reason, which the person reads on « Mes données » and by
    e-mail."""
    if not erasure_may_decide(erasure=erasure, by=by):
        raise ValidationError(_("You may not decide on this request."))
    reason = reason.strip()
    if not reason:
        raise ValidationError(_("Say why the request is refused: the person will read it."))
    with transaction.atomic():
        _decide(erasure, status=ErasureStatus.REFUSED, decided_by=by, refusal_reason=reason)
        user = erasure.user
        outbox_enqueue(
            key=f"erasure-refused:{erasure.pk}",
            kind="erasure",
            user=user,
            template="erasure_refused",
            context={
                "first_name": user.first_name,
                "reason": reason,
                "url": settings.SITE_URL + reverse("personal_data"),
            },
        )
    erasure.refresh_from_db()
    return erasure


def _decide(erasure: ErasureRequest, **changes) -> None:
    # One conditional UPDATE: two leads deciding at once, or a double click, decide once.
    moved = ErasureRequest.objects.filter(pk=erasure.pk, status=ErasureStatus.PENDING).update(
        decided_at=timezone.now(), **changes
    )
    if moved != 1:
        raise ValidationError(_("This request has already been decided."))


# emergence's part: the account, e-mails, sign-in logs, the console's log -----------------------


def _export(user) -> Export:
    account = {
        _("E-mail address"): user.email,
        _("First name"): user.first_name,
        _("Last name"): user.last_name,
        _("Language"): user.get_language_display(),
        _("Account created"): user.date_joined,
        _("Last sign-in"): user.last_login,
        _("Account active"): user.is_active,
    }
    groups = [group.name for group in user.groups.all()]
    if user.is_staff or groups:
        account[_("Staff roles")] = ", ".join(groups)
    emails = [
        {
            _("Written at"): email.created_at,
            _("Sent at"): email.sent_at,
            _("Subject"): email.subject,
            _("Status"): email.get_status_display(),
        }
        for email in OutboxEmail.objects.filter(user=user).order_by("created_at", "pk")
    ]
    requests = [
        {
            _("Asked at"): erasure.requested_at,
            _("Your reason"): erasure.reason,
            _("Status"): erasure.get_status_display(),
            _("Decided at"): erasure.decided_at,
            _("Reason for refusing"): erasure.refusal_reason,
        }
        for erasure in user.erasure_requests.order_by("requested_at")
    ]
    sections = {_("Account"): [account], _("E-mails sent to you"): emails}
    if requests:
        sections[_("Erasure requests")] = requests
    return sections


def _anonymise(user) -> None:
    terms = identity_terms(user)
    email, placeholder, now = user.email, erased_email(user), timezone.now()
    _outbox_forget(user=user, email=email, terms=terms, placeholder=placeholder)
    _admin_log_forget(user=user, terms=terms)
    _sign_in_logs_forget(email=email, placeholder=placeholder)
    from django_otp import devices_for_user

    for device in devices_for_user(user, confirmed=None):
        device.delete()
    ErasureRequest.objects.filter(user=user).update(reason="")
    _data_exports_forget(user=user, terms=terms)
    # Their exports hold other people's data under their name: nobody downloads them now.
    BackgroundJob.objects.filter(owner=user).delete()
    user.first_name = user.last_name = ""
    user.email = placeholder
    user.is_active = user.is_staff = user.is_superuser = False
    if user.has_usable_password():
        user.set_unusable_password()
    user.erased_at = user.erased_at or now
    user.save(
        update_fields=[
            "first_name",
            "last_name",
            "email",
            "is_active",
            "is_staff",
            "is_superuser",
            "password",
            "erased_at",
        ]
    )
    user.groups.clear()
    user.user_permissions.clear()
    # Every session ends: each carries a hash of the password and the session version.
    user_sign_out_everywhere(user=user)


def _text_matches(terms: list[str], *fields: str) -> Q:
    query = Q(pk__in=[])
    for term in terms:
        for name in fields:
            query |= Q(**{f"{name}__icontains": term})
    return query


def _outbox_forget(*, user, email: str, terms: list[str], placeholder: str) -> None:
    # E-mails to the person, and e-mails to others that named them (a digest, an introduction):
    # the rows stay, so that no key is sent twice, without their subject and body. One not sent
    # yet is never sent.
    theirs = OutboxEmail.objects.filter(Q(user=user) | Q(to__iexact=email))
    naming = OutboxEmail.objects.filter(_text_matches(terms, "subject", "text", "html"))
    theirs.update(to=placeholder, subject="", text="", html="")
    naming.update(subject="", text="", html="")
    OutboxEmail.objects.filter(last_error__icontains=email).update(last_error="")
    OutboxEmail.objects.filter(Q(to=placeholder) | Q(subject="", text="", html="")).exclude(
        status__in=[OutboxStatus.SENT, OutboxStatus.FAILED]
    ).update(
        status=OutboxStatus.FAILED,
        attempts=MAX_ATTEMPTS,
        last_error="not sent: it named a person whose data was erased",
    )


def _admin_log_forget(*, user, terms: list[str]) -> None:
    """The console's history of changes names each object it changed (``object_repr``)."""
    about_them = Q(content_type=ContentType.objects.get_for_model(user), object_id=str(user.pk))
    LogEntry.objects.filter(about_them | _text_matches(terms, "object_repr")).update(
        object_repr="—"
    )
    LogEntry.objects.filter(_text_matches(terms, "change_message")).update(change_message="")


def _data_exports_forget(*, user, terms: list[str]) -> None:
    """The person's own downloads, and others' that name them (a partner member's requests):
    there are few, as each lives ``DATA_EXPORT_DAYS``."""
    DataExport.objects.filter(owner=user).delete()
    wanted = [term.casefold() for term in terms]
    naming = [
        export.pk
        for export in DataExport.objects.filter(ready_at__isnull=False).only("json_file").iterator()
        if any(
            term in bytes(export.json_file).decode(errors="ignore").casefold() for term in wanted
        )
    ]
    DataExport.objects.filter(pk__in=naming).delete()


def _sign_in_logs_forget(*, email: str, placeholder: str) -> None:
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    AccessAttempt.objects.filter(username__iexact=email).delete()
    for model in (AccessLog, AccessFailureLog):
        model.objects.filter(username__iexact=email).update(
            username=placeholder, ip_address=None, user_agent=""
        )


# Retention --------------------------------------------------------------------------------------


def _outbox_bodies(now: datetime.datetime, dry_run: bool) -> int:
    due = OutboxEmail.objects.filter(
        status=OutboxStatus.SENT, created_at__lt=retention_cutoff("outbox_bodies", now)
    ).exclude(text="", html="")
    return due.count() if dry_run else due.update(text="", html="")


def _data_exports(now: datetime.datetime, dry_run: bool) -> int:
    due = DataExport.objects.filter(expires_at__lt=retention_cutoff("data_exports", now))
    return due.count() if dry_run else due.delete()[0]


def _background_jobs(now: datetime.datetime, dry_run: bool) -> int:
    due = BackgroundJob.objects.filter(expires_at__lt=retention_cutoff("background_jobs", now))
    return due.count() if dry_run else due.delete()[0]


PART = PersonalDataPart(
    app="emergence",
    export=_export,
    anonymise=_anonymise,
    retention=(
        RetentionRule(
            "outbox_bodies",
            "sent e-mails: text and HTML emptied, the row (key, recipient, subject) kept",
            _outbox_bodies,
        ),
        RetentionRule("data_exports", "expired data downloads: deleted", _data_exports),
        RetentionRule(
            "background_jobs",
            "expired exports and imports: deleted, file included",
            _background_jobs,
        ),
    ),
)
