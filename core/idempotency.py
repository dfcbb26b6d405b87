"""Double submits create nothing twice, for every form of the product at once.

static/js/submit_once.js gives every POST form a random token when the page loads and
disables its submit buttons while it posts. SubmitOnceMiddleware claims
(user, path, token) with a unique row before the view runs:
- the first post runs; if it succeeds (a redirect, the pattern of every write view) the row
  remembers where it led;
- a second post of the same page (double click, a resubmit after the back button, two
  tabs racing) does not run the view: it waits briefly for the first and is sent where the
  first was sent, with a note that nothing was saved twice;
- a post that fails validation releases its row, so the corrected form can be posted.
Without a token (scripts, tests, no JavaScript) the view runs as before: the services'
own locks and unique constraints still hold (cadre ID numbers, allegation duplicates,
clarification notices, workflow stages).
"""
import hashlib
import time
from datetime import timedelta

from django.contrib import messages
from django.db import IntegrityError, transaction
from django.http import HttpResponseRedirect
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme

from core.models import SubmittedForm

FIELD = "_submit_once"
WINDOW = timedelta(minutes=30)  # a token older than this is a new submission
WAIT_SECONDS = 15  # how long a duplicate waits for the first post to finish
REPEATED = "此表单刚才已经提交，未重复保存。"


def _key(request, token: str) -> str:
    return hashlib.sha256(f"{request.user.pk}|{request.path}|{token}".encode()).hexdigest()


def claim(key: str, user) -> bool:
    """True for the first post of this key (the row is committed at once, outside any
    request transaction, so a simultaneous post sees it)."""
    now = timezone.now()
    SubmittedForm.objects.filter(created_at__lt=now - WINDOW).delete()
    try:
        with transaction.atomic():
            SubmittedForm.objects.create(key=key, user=user)
        return True
    except IntegrityError:
        return False


class SubmitOnceMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = self._token(request)
        if not token:
            return self.get_response(request)
        key = _key(request, token)
        if not claim(key, request.user):
            replay = self._replay(request, key)
            if replay is not None:
                return replay
            if not claim(key, request.user):  # the first failed and released it: run this one
                return self._busy(request)
        try:
            response = self.get_response(request)
        except BaseException:
            SubmittedForm.objects.filter(key=key).delete()
            raise
        location = response.get("Location", "") if response.status_code in (301, 302, 303) else ""
        if location:
            SubmittedForm.objects.filter(key=key).update(location=location[:500])
        else:
            SubmittedForm.objects.filter(key=key).delete()
        return response

    @staticmethod
    def _token(request) -> str:
        if request.method != "POST" or not getattr(request, "user", None) or not request.user.is_authenticated:
            return ""
        if request.content_type not in ("application/x-www-form-urlencoded", "multipart/form-data"):
            return ""
        token = request.POST.get(FIELD, "")
        return token if 8 <= len(token) <= 64 else ""

    @staticmethod
    def _replay(request, key):
        deadline = time.monotonic() + WAIT_SECONDS
        while time.monotonic() < deadline:
            row = SubmittedForm.objects.filter(key=key).values_list("location", flat=True).first()
            if row is None:
                return None  # the first post failed; this one may run
            if row:
                messages.info(request, REPEATED)
                return HttpResponseRedirect(row)
            time.sleep(0.1)
        return SubmitOnceMiddleware._busy(request)

    @staticmethod
    def _busy(request):
        messages.warning(request, "上一次提交仍在处理，请稍候刷新页面查看结果，不要重复提交。")
        referer = request.META.get("HTTP_REFERER", "")
        safe = url_has_allowed_host_and_scheme(referer, allowed_hosts={request.get_host()},
                                               require_https=request.is_secure())
        return HttpResponseRedirect(referer if safe and referer else "/")
