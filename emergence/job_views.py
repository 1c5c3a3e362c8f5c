"""A background job's page (``/jobs/<token>/``): its progress bar, which reads
``/jobs/<token>/status`` every second, then its file or its result. The owner's only."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from emergence.jobs import job_bytes, job_for, job_result_template, job_status
from emergence.models import BackgroundJob


def _own_job(request, token: str) -> BackgroundJob:
    try:
        return job_for(user=request.user, token=token)
    except BackgroundJob.DoesNotExist:
        raise Http404 from None


@never_cache
@login_required
def page(request, token: str):
    job = _own_job(request, token)
    return render(
        request,
        "jobs/job.html",
        {"job": job, "result": job.result, "result_template": job_result_template(job)},
    )


@never_cache
@login_required
def status(request, token: str):
    return JsonResponse(job_status(_own_job(request, token)))


@never_cache
@login_required
def download(request, token: str):
    job = _own_job(request, token)
    if not job.filename:
        raise Http404
    response = HttpResponse(job_bytes(job), content_type=job.content_type)
    response["Content-Disposition"] = f'attachment; filename="{job.filename}"'
    return response
