import time
import uuid
from functools import wraps
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from cadres import excel
from cadres.forms import (
    AchievementForm,
    CadreFilterForm,
    CadreForm,
    CommendationForm,
    FamilyMemberForm,
    FollowUpVisitForm,
    ImportUploadForm,
    MeasureForm,
    PostingForm,
    SanctionForm,
)
from cadres.history import cadre_history
from cadres.models import Cadre, FollowUpVisit
from cadres.selectors import cadre_list as select_cadre_list
from cadres.selectors import cadres_visible_to, can_reveal_id_number, units_visible_to
from cadres.services import cadre_create, cadre_record_add, cadre_update, posting_add
from core import roles
from core.audit import AuditEvent, audit_log
from core.errors import DomainError
from core.exports import export_start
from core.pagination import DeferredJoinPaginator
from core.panels import CADRE_TABS

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PAGE_SIZE = 50


def registry_access(edit=False):
    """Login required; then the registry role (403 otherwise)."""

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            allowed = roles.can_edit_registry(request.user) if edit else roles.can_view_registry(request.user)
            if not allowed:
                raise PermissionDenied("您没有访问干部信息的权限。")
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def _visible_cadre(request, pk) -> Cadre:
    """Outside the user's jurisdiction a cadre does not exist (404), never a 403 that
    would confirm it does."""
    return get_object_or_404(cadres_visible_to(request.user).select_related("unit"), pk=pk)


@registry_access()
def cadre_list(request):
    units = units_visible_to(request.user).order_by("path")
    form = CadreFilterForm(request.GET or None, units=units)
    filters = form.cleaned_data if form.is_valid() else {}
    qs = select_cadre_list(
        user=request.user,
        search=filters.get("q", ""),
        unit=filters.get("unit"),
        rank=filters.get("rank", ""),
        status=filters.get("status", ""),
        tag=filters.get("tag", ""),
        township_years_min=filters.get("township_years"),
        order=filters.get("order") or "name",
    )
    page = DeferredJoinPaginator(qs, PAGE_SIZE, kept=True).get_page(request.GET.get("page"))
    if filters.get("q"):  # 检索干部信息 is audited (who looked for whom)
        audit_log(AuditEvent.Type.SEARCH, request=request, detail=f"检索：{filters['q']}", count=page.paginator.count)
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "cadres/cadre_list.html", {
        "form": form, "page": page, "query": query.urlencode(),
        "can_edit": roles.can_edit_registry(request.user),
        # Row links as prefix + pk: reversing a URL for each of the page's rows costs more.
        "list_url": reverse("cadres:list"),
    })


@registry_access()
@require_POST
def cadre_export(request):
    """Starts the export job (cadres.jobs) with the list's filters; the job page shows progress."""
    return export_start(request, "cadres.export")


@registry_access()
@require_POST
def reveal_id_number(request, pk):
    """The full ID number, for holders of cadres.reveal_id_number only; each reveal is audited."""
    cadre = _visible_cadre(request, pk)
    if not can_reveal_id_number(request.user):
        raise PermissionDenied("您没有查看完整身份证号的权限。")
    audit_log(AuditEvent.Type.SENSITIVE_READ, request=request, obj=cadre, detail="查看完整身份证号")
    template = "cadres/_id_number_revealed.html" if request.htmx else "cadres/id_number_revealed.html"
    return render(request, template, {"cadre": cadre})


TABS = [
    ("profile", "基本信息"),
    ("postings", "任职经历"),
    ("rewards", "奖惩情况"),
    ("measures", "监督措施"),
    ("achievements", "实绩档案"),
    ("family", "家庭成员"),
    ("history", "变更记录"),
]


@registry_access()
def cadre_detail(request, pk):
    cadre = _visible_cadre(request, pk)
    extra_tabs = {t.key: t for t in CADRE_TABS}
    tabs = TABS + [(t.key, t.label) for t in CADRE_TABS]
    tab = request.GET.get("tab", "profile")
    if tab not in dict(tabs):
        tab = "profile"
    context = {"cadre": cadre, "tab": tab, "tabs": tabs, "can_edit": roles.can_edit_registry(request.user),
               "tab_template": extra_tabs[tab].template if tab in extra_tabs else f"cadres/tabs/{tab}.html"}
    if tab in extra_tabs:
        context.update(extra_tabs[tab].context(cadre, request.user))
    if tab == "profile":
        context["tags"] = list(cadre.tags.all())
        context["can_reveal_id_number"] = can_reveal_id_number(request.user)
    elif tab == "postings":
        context["postings"] = cadre.postings.select_related("unit")
    elif tab == "rewards":
        context["commendations"] = cadre.commendations.all()
        context["sanctions"] = cadre.sanctions.select_related("sanction_type")
        context["visits"] = FollowUpVisit.objects.filter(sanction__cadre=cadre).select_related("sanction__sanction_type")
    elif tab == "measures":
        context["measures"] = cadre.measures.all()
    elif tab == "achievements":
        context["achievements"] = cadre.achievements.select_related("recorded_by")
    elif tab == "family":
        context["family"] = cadre.family_members.all()
    elif tab == "history":
        context["history"] = cadre_history(cadre)
    return render(request, "cadres/cadre_detail.html", context)


@registry_access(edit=True)
def cadre_create_view(request):
    units = units_visible_to(request.user).order_by("path")
    form = CadreForm(request.POST or None, request.FILES or None, units=units)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data.pop("version", None)
        tags = data.pop("tags")
        try:
            cadre = cadre_create(by=request.user, tags=tags, **data)
        except DomainError as e:
            messages.error(request, e.message)
        except ValidationError as e:  # a duplicate saved by a simultaneous post
            form.add_error(None, e)
        else:
            messages.success(request, f"已新增干部 {cadre.name}。")
            return redirect("cadres:detail", pk=cadre.pk)
    return render(request, "cadres/cadre_form.html", {"form": form, "title": "新增干部"})


@registry_access(edit=True)
def cadre_edit(request, pk):
    cadre = _visible_cadre(request, pk)
    form = CadreForm(request.POST or None, request.FILES or None, instance=cadre)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k not in ("version", "tags")}
        try:
            cadre_update(cadre=cadre, by=request.user, expected_version=form.cleaned_data["version"] or 0,
                         tags=form.cleaned_data["tags"], **data)
        except DomainError as e:
            messages.error(request, e.message)
        else:
            messages.success(request, "已保存。")
            return redirect("cadres:detail", pk=cadre.pk)
    return render(request, "cadres/cadre_form.html", {"form": form, "title": f"编辑：{cadre.name}", "cadre": cadre})


@registry_access(edit=True)
def posting_create(request, pk):
    cadre = _visible_cadre(request, pk)
    # A transfer may lead outside the user's jurisdiction only for admins; otherwise to
    # units the user manages (the receiving side records transfers in from elsewhere).
    form = PostingForm(request.POST or None, units=units_visible_to(request.user).order_by("path"))
    if request.method == "POST" and form.is_valid():
        try:
            posting_add(cadre=cadre, by=request.user, **form.cleaned_data)
        except DomainError as e:
            messages.error(request, e.message)
        else:
            messages.success(request, "已记录任职经历。")
            return redirect(f"{cadre_url(cadre)}?tab=postings")
    return render(request, "cadres/record_form.html", {"form": form, "cadre": cadre, "title": "新增任职经历（含交流、调动）"})


# kind → (form, title, tab to return to)
RECORD_KINDS = {
    "commendation": (CommendationForm, "新增奖励表彰", "rewards"),
    "sanction": (SanctionForm, "新增处分或组织处理", "rewards"),
    "visit": (FollowUpVisitForm, "新增回访教育", "rewards"),
    "measure": (MeasureForm, "新增监督措施", "measures"),
    "achievement": (AchievementForm, "新增实绩记录", "achievements"),
    "family": (FamilyMemberForm, "新增家庭成员或社会关系", "family"),
}


@registry_access(edit=True)
def record_create(request, pk, kind):
    if kind not in RECORD_KINDS:
        raise Http404
    cadre = _visible_cadre(request, pk)
    form_class, title, tab = RECORD_KINDS[kind]
    extra = {"cadre": cadre} if form_class is FollowUpVisitForm else {}
    form = form_class(request.POST or None, **extra)
    if request.method == "POST" and form.is_valid():
        record = form.save(commit=False)
        if hasattr(record, "cadre_id"):
            record.cadre = cadre
        if hasattr(record, "recorded_by_id"):
            record.recorded_by = request.user
        try:
            cadre_record_add(record=record, by=request.user,
                             acknowledge_duplicate=form.cleaned_data.get("acknowledge_duplicate", False))
        except DomainError as e:
            form.add_error(e.field, e.message)
        else:
            messages.success(request, f"{title.removeprefix('新增')}已保存。")
            return redirect(f"{cadre_url(cadre)}?tab={tab}")
    return render(request, "cadres/record_form.html", {"form": form, "cadre": cadre, "title": title})


def cadre_url(cadre):
    return reverse("cadres:detail", args=[cadre.pk])


@registry_access()
def cadre_photo(request, pk):
    cadre = _visible_cadre(request, pk)
    if not cadre.photo:
        raise Http404
    return FileResponse(cadre.photo.open("rb"), content_type="image/jpeg")


@registry_access()
def unit_tree(request):
    units = units_visible_to(request.user).order_by("path").annotate(cadre_count=Count("cadres"))
    return render(request, "cadres/unit_tree.html", {"units": units})


# Import: upload → dry-run preview → confirm. The file waits in MEDIA_ROOT (never served)
# under a random token remembered in the user's session.
IMPORT_TTL_SECONDS = 2 * 60 * 60  # an unconfirmed upload is deleted after two hours


def _import_path(token: str) -> Path:
    return Path(settings.MEDIA_ROOT) / "imports" / f"{token}.xlsx"


def purge_expired_imports(now: float | None = None) -> int:
    """Delete uploads never confirmed within IMPORT_TTL_SECONDS (they hold ID numbers).
    Runs on every upload and confirmation, so the folder never grows without bound."""
    folder = Path(settings.MEDIA_ROOT) / "imports"
    now = now or time.time()
    removed = 0
    for path in folder.glob("*.xlsx") if folder.is_dir() else []:
        try:
            if now - path.stat().st_mtime > IMPORT_TTL_SECONDS:
                path.unlink(missing_ok=True)
                removed += 1
        except OSError:
            continue
    return removed


@registry_access(edit=True)
def import_template(request):
    response = HttpResponse(excel.template_workbook(), content_type=XLSX)
    response["Content-Disposition"] = "attachment; filename*=UTF-8''cadre-import-template.xlsx"
    return response


@registry_access(edit=True)
def import_upload(request):
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    context = {"form": form}
    if request.method == "POST":
        purge_expired_imports()
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            preview = excel.preview_import(upload, user=request.user)
        except DomainError as e:
            form.add_error("file", e.message)
        else:
            token = uuid.uuid4().hex
            path = _import_path(token)
            path.parent.mkdir(parents=True, exist_ok=True)
            upload.seek(0)
            path.write_bytes(upload.read())
            request.session.setdefault("cadre_imports", []).append(token)
            request.session.modified = True
            context.update(preview=preview, token=token)
    return render(request, "cadres/import.html", context)


@require_POST
@registry_access(edit=True)
def import_confirm(request, token):
    purge_expired_imports()
    if token not in request.session.get("cadre_imports", []):
        raise Http404
    if not _import_path(token).exists():
        messages.error(request, "上传的文件已过期（上传后 2 小时内未确认导入），请重新上传。")
        return redirect("cadres:import")
    path = _import_path(token)
    claim = path.with_name(path.name + ".confirmed")
    try:
        # The first confirmation claims the file (an exclusive create): a second one (a double
        # click without the page token, two tabs) imports nothing twice.
        claim.open("x").close()
    except FileExistsError:
        messages.info(request, "此次导入已经确认，未重复导入。")
        return redirect("cadres:list")
    try:
        with path.open("rb") as f:
            # Validate again: the registry may have changed since the preview.
            preview = excel.preview_import(f, user=request.user)
        summary = excel.import_rows(preview, by=request.user)
    except DomainError as e:
        messages.error(request, e.message)
        return redirect("cadres:import")
    finally:
        path.unlink(missing_ok=True)
        claim.unlink(missing_ok=True)
        request.session["cadre_imports"] = [t for t in request.session["cadre_imports"] if t != token]
    messages.success(
        request,
        f"导入完成：新增 {summary['created']} 人，跳过有错误的 {summary['skipped']} 行"
        + (f"，保存时失败 {len(summary['failed'])} 行" if summary["failed"] else "") + "。",
    )
    for number, reason in summary["failed"]:
        messages.warning(request, f"第 {number} 行：{reason}")
    return redirect("cadres:list")
