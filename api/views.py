"""The API endpoints (/api/v1/). Thin: each reads through the selector the matching page
uses and writes through the page's service; out of scope is 404, as on the pages."""
from django.db.models import Prefetch
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.encoding import escape_uri_path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers
from rest_framework.response import Response

from api import serializers as s
from api.base import ApiView
from api.models import Scope
from api.services import idempotent_write, request_fingerprint
from assessment import selectors as assessment_selectors
from assessment import services as assessment_services
from assessment.models import CadreGrade
from assessment.selectors import SHORTLIST_VALUES, can_grade, reviews_visible_to
from cadres.models import CadreStatus, Posting, Rank, RecordStatus, Sanction, Unit
from cadres.selectors import cadre_list, cadres_visible_to, units_visible_to
from core import roles
from core.xlsx import export_watermark
from tolerance import allegation_services, documents
from tolerance.models import AllegationStatus, Conclusion, Stage
from tolerance.selectors import (
    allegation_list,
    allegations_visible_to,
    case_list,
    cases_visible_to,
    current_rulings,
    notices_visible_to,
)


def may_read_tolerance(user) -> bool:
    """The check of tolerance_access on the pages."""
    return roles.can_view_registry(user) or roles.is_discipline_officer(user)


ERROR_RESPONSES = {code: OpenApiResponse(s.ErrorSerializer, description=text) for code, text in [
    (400, "请求有误（字段说明见 errors）"), (401, "未认证，或令牌无效、过期、已吊销"),
    (403, "令牌缺少权限范围，或账号无此角色"), (404, "对象不存在，或不在权限范围内"),
    (413, "请求内容过大"), (429, "请求过于频繁")]}


def errors(*codes):
    return {c: ERROR_RESPONSES[c] for c in codes}


def query_params(serializer_class, request):
    """Validate query parameters with a serializer: bad values are 400 with field errors."""
    ser = serializer_class(data=request.query_params)
    ser.is_valid(raise_exception=True)
    return ser.validated_data


def visible_unit(user, unit_id, field="unit") -> Unit:
    unit = units_visible_to(user).filter(pk=unit_id).first()
    if unit is None:
        raise exceptions.ValidationError({field: ["单位不存在，或不在您的权限范围内。"]})
    return unit


# ---------------------------------------------------------------- registry


class RegistryView(ApiView):
    required_scope = Scope.READ_CADRES
    role_check = staticmethod(roles.can_view_registry)
    role_denied_message = "您没有访问干部信息的权限。"


class UnitListView(RegistryView):
    orderings = {"path": ("path",)}
    default_ordering = "path"

    @extend_schema(tags=["单位与干部"], summary="单位树", responses={200: s.UnitSerializer(many=True), **errors(401, 403, 429)},
                   description="权限范围内的单位，按树的先序（path）排列；parent_id 给出上级。")
    def get(self, request):
        units = list(self.paginate_queryset(units_visible_to(request.user)))
        parents = {u.path: u.pk for u in Unit.objects.filter(
            path__in={u.path[:-Unit.steplen] for u in units if u.depth > 1}).only("pk", "path")}
        for u in units:
            u.parent_id = parents.get(u.path[:-Unit.steplen]) if u.depth > 1 else None
        request._api_audit_count = len(units)
        return self.get_paginated_response(s.UnitSerializer(units, many=True).data)


class CadreListQuery(serializers.Serializer):
    q = serializers.CharField(required=False, default="", max_length=50, allow_blank=True,
                              help_text="姓名（一字为姓氏前缀，两字以上为包含）或身份证号（完整或部分）")
    unit = serializers.IntegerField(required=False, min_value=1, help_text="单位编号（含下级单位）")
    rank = serializers.ChoiceField(choices=Rank.choices, required=False, help_text="职级")
    status = serializers.ChoiceField(choices=CadreStatus.choices, required=False, help_text="状态")
    township_years_min = serializers.IntegerField(required=False, min_value=1, max_value=60,
                                                  help_text="乡镇工作年限不少于")


class CadreListView(RegistryView):
    orderings = {"name": ("name", "id"), "-name": ("-name", "-id"), "id": ("id",), "-id": ("-id",)}
    default_ordering = "name"

    @extend_schema(tags=["单位与干部"], summary="干部列表", parameters=[CadreListQuery],
                   responses={200: s.CadreListSerializer(many=True), **errors(400, 401, 403, 429)})
    def get(self, request):
        f = query_params(CadreListQuery, request)
        unit = visible_unit(request.user, f["unit"]) if f.get("unit") else None
        qs = cadre_list(user=request.user, search=f.get("q", ""), unit=unit, rank=f.get("rank", ""),
                        status=f.get("status", ""), township_years_min=f.get("township_years_min"))
        # Only the columns the list serializes: the page builds 50–200 rows.
        qs = qs.only("id", "name", "sex", "birth_date", "id_number", "position", "rank", "status",
                     "unit__id", "unit__name")
        return self.paginated(qs.order_by(), s.CadreListSerializer)


class CadreDetailView(RegistryView):
    @extend_schema(tags=["单位与干部"], summary="干部详情",
                   description="任职经历、奖励表彰、有效的处分、年度考核等次。",
                   responses={200: s.CadreDetailSerializer, **errors(401, 403, 404, 429)})
    def get(self, request, pk: int):
        cadre = get_object_or_404(cadres_visible_to(request.user).select_related("unit").prefetch_related(
            Prefetch("postings", queryset=Posting.objects.select_related("unit")),
            "commendations",
            Prefetch("sanctions", to_attr="sanctions_in_force", queryset=Sanction.objects.filter(
                status=RecordStatus.IN_FORCE).select_related("sanction_type")),
            Prefetch("assessment_grades", to_attr="annual_grades",
                     queryset=CadreGrade.objects.order_by("-year"))), pk=pk)
        self.audit_object(cadre)
        return Response(s.CadreDetailSerializer(cadre, context={"request": request}).data)


class ShortlistView(RegistryView):
    """The same set-based selector as the shortlist page, paged by cursor: the database
    ranks, filters and pages (a whole city is tens of thousands of rows), and the reasons
    are written for the page's rows only."""

    orderings = {"unit": ("unit_path", "name", "id"), "name": ("name", "id"), "id": ("id",)}
    default_ordering = "unit"

    @extend_schema(tags=["单位与干部"], summary="提拔人选名单", parameters=[s.ShortlistQuerySerializer],
                   responses={200: s.ShortlistRowSerializer(many=True), **errors(400, 401, 403, 429)})
    def get(self, request):
        f = query_params(s.ShortlistQuerySerializer, request)
        unit = visible_unit(request.user, f["unit"])
        shortlist = assessment_selectors.shortlist_query(user=request.user, unit=unit, target_rank=f["target_rank"],
                                                         on=f.get("on"), q=f.get("q", "").strip(),
                                                         block=f.get("block", ""))
        values = shortlist.shown(f.get("show", "")).values(*SHORTLIST_VALUES, "id")
        page = self.paginate_queryset(values)
        rows = shortlist.rows([tuple(row[name] for name in SHORTLIST_VALUES) for row in page])
        self.request._api_audit_count = len(rows)
        return self.get_paginated_response(s.ShortlistRowSerializer(rows, many=True).data)


# ---------------------------------------------------------------- tolerance cases


class CaseListQuery(serializers.Serializer):
    stage = serializers.ChoiceField(choices=Stage.choices, required=False, help_text="当前阶段")
    overdue = serializers.BooleanField(required=False, default=False, help_text="仅超期未办结的")
    year = serializers.IntegerField(required=False, min_value=2000, max_value=2100, help_text="失误发生年度")
    unit = serializers.IntegerField(required=False, min_value=1, help_text="单位编号（含下级单位）")


def _case_rows(cases):
    """Each case with its cadres and their current outcomes: two queries for a page."""
    from tolerance.models import CaseCadre

    cases = list(cases)
    outcomes = {cc_id: (o, label) for cc_id, o, label in (
        (r.case_cadre_id, r.outcome, r.get_outcome_display())
        for r in current_rulings().filter(case_cadre__case__in=cases))}
    by_case: dict[int, list] = {}
    for cc in CaseCadre.objects.filter(case__in=cases).select_related("cadre").order_by("id"):
        outcome, label = outcomes.get(cc.pk, ("", ""))
        by_case.setdefault(cc.case_id, []).append(
            {"cadre_id": cc.cadre_id, "cadre_name": cc.cadre.name, "outcome": outcome, "outcome_label": label})
    for case in cases:
        case.cadres = by_case.get(case.pk, [])
    return cases


class CaseView(ApiView):
    required_scope = Scope.READ_CASES
    role_check = staticmethod(may_read_tolerance)
    role_denied_message = "您没有访问容错纠错案件的权限。"


class CaseListView(CaseView):
    orderings = {"-created_at": ("-created_at", "-id"), "stage_deadline": ("stage_deadline", "id")}
    default_ordering = "-created_at"

    @extend_schema(tags=["容错纠错"], summary="容错纠错案件列表", parameters=[CaseListQuery],
                   responses={200: s.CaseSerializer(many=True), **errors(400, 401, 403, 429)})
    def get(self, request):
        f = query_params(CaseListQuery, request)
        unit = visible_unit(request.user, f["unit"]) if f.get("unit") else None
        qs = case_list(user=request.user, stage=f.get("stage", ""), overdue=f["overdue"], unit=unit,
                       year=f.get("year")).order_by()
        page = _case_rows(self.paginate_queryset(qs))
        request._api_audit_count = len(page)
        return self.get_paginated_response(s.CaseSerializer(page, many=True).data)


class CaseDetailView(CaseView):
    @extend_schema(tags=["容错纠错"], summary="容错纠错案件详情",
                   responses={200: s.CaseSerializer, **errors(401, 403, 404, 429)})
    def get(self, request, pk: int):
        case = get_object_or_404(cases_visible_to(request.user).select_related("unit"), pk=pk)
        self.audit_object(case)
        return Response(s.CaseSerializer(_case_rows([case])[0]).data)


# ---------------------------------------------------------------- allegations and notices


class AllegationListQuery(serializers.Serializer):
    status = serializers.ChoiceField(choices=AllegationStatus.choices, required=False, help_text="状态")
    conclusion = serializers.ChoiceField(choices=Conclusion.choices, required=False, help_text="核查结论")
    source = serializers.ChoiceField(choices=s.AllegationSource.choices, required=False, help_text="线索来源")


class AllegationView(ApiView):
    required_scope = Scope.READ_ALLEGATIONS
    write_scope = Scope.WRITE_ALLEGATIONS
    role_check = staticmethod(may_read_tolerance)
    # Registering an allegation: the check of the intake page.
    write_check = staticmethod(roles.can_edit_registry)
    role_denied_message = "您没有访问或登记问题线索的权限。"


class AllegationListView(AllegationView):
    orderings = {"-received_on": ("-received_on", "-id"), "received_on": ("received_on", "id")}
    default_ordering = "-received_on"

    @extend_schema(tags=["问题线索与澄清正名"], summary="问题线索列表（不含举报人信息）", parameters=[AllegationListQuery],
                   responses={200: s.AllegationSerializer(many=True), **errors(400, 401, 403, 429)})
    def get(self, request):
        f = query_params(AllegationListQuery, request)
        qs = allegation_list(user=request.user, status=f.get("status", ""), conclusion=f.get("conclusion", ""),
                             source=f.get("source", "")).order_by()
        return self.paginated(qs, s.AllegationSerializer)

    @extend_schema(tags=["问题线索与澄清正名"], summary="报送问题线索",
                   description="与登记页面相同的服务：同一问题已有线索或函询时拒绝（400，字段 acknowledge_duplicate），"
                               "确认后再提交；举报人信息单独保存，仅指定核查人可见，任何接口都不返回。须带 Idempotency-Key。",
                   parameters=[OpenApiParameter("Idempotency-Key", OpenApiTypes.STR, OpenApiParameter.HEADER,
                                                required=True, description="幂等键：重复提交返回首次结果，不重复登记")],
                   request=s.AllegationCreateSerializer,
                   responses={201: s.AllegationSerializer, **errors(400, 401, 403, 413, 429)})
    def post(self, request):
        def write():
            d = validated(s.AllegationCreateSerializer, request)
            subjects = list(cadres_visible_to(request.user).filter(pk__in=d["subject_ids"]))
            missing = sorted(set(d["subject_ids"]) - {c.pk for c in subjects})
            if missing:
                raise exceptions.ValidationError({"subject_ids": [
                    f"干部 {', '.join(map(str, missing))} 不存在，或不在您的权限范围内。"]})
            reporter = {"anonymous": d["reporter_anonymous"], "name": d["reporter_name"],
                        "contact": d["reporter_contact"], "work_unit": d["reporter_work_unit"]}
            allegation = allegation_services.allegation_receive(
                by=request.user, source=d["source"], received_on=d["received_on"], subjects=subjects,
                issue=d["issue"], summary=d["summary"], reporter=reporter,
                acknowledge_duplicate=d["acknowledge_duplicate"])
            self.audit_object(allegation)
            return 201, s.AllegationSerializer(allegation).data

        return run_idempotent(request, write)


class AllegationDetailView(AllegationView):
    @extend_schema(tags=["问题线索与澄清正名"], summary="问题线索详情（不含举报人信息）",
                   responses={200: s.AllegationSerializer, **errors(401, 403, 404, 429)})
    def get(self, request, pk: int):
        allegation = get_object_or_404(allegations_visible_to(request.user), pk=pk)
        self.audit_object(allegation)
        return Response(s.AllegationSerializer(allegation).data)


class NoticeListView(AllegationView):
    write_scope = None
    orderings = {"-issued_on": ("-issued_on", "-id")}
    default_ordering = "-issued_on"

    @extend_schema(tags=["问题线索与澄清正名"], summary="澄清正名通知书列表",
                   responses={200: s.NoticeSerializer(many=True), **errors(401, 403, 429)})
    def get(self, request):
        qs = notices_visible_to(request.user).select_related("cadre__unit").order_by()
        return self.paginated(qs, s.NoticeSerializer)


def _visible_notice(request, pk):
    return get_object_or_404(notices_visible_to(request.user).select_related("cadre__unit", "allegation"), pk=pk)


class NoticeDetailView(AllegationView):
    write_scope = None

    @extend_schema(tags=["问题线索与澄清正名"], summary="澄清正名通知书详情",
                   responses={200: s.NoticeSerializer, **errors(401, 403, 404, 429)})
    def get(self, request, pk: int):
        notice = self.audit_object(_visible_notice(request, pk))
        return Response(s.NoticeSerializer(notice, context={"request": request}).data)


class NoticePdfView(AllegationView):
    write_scope = None

    @extend_schema(tags=["问题线索与澄清正名"], summary="澄清正名通知书 PDF",
                   responses={(200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description="PDF 文件"),
                              **errors(401, 403, 404, 429)})
    def get(self, request, pk: int):
        notice = self.audit_object(_visible_notice(request, pk))
        content = documents.notice_content(notice)
        response = HttpResponse(documents.render_pdf(content, watermark=export_watermark(request.user)), content_type="application/pdf")
        response["Content-Disposition"] = f"attachment; filename*=UTF-8''{escape_uri_path(content['filename'])}"
        response["Cache-Control"] = "private, no-store"
        return response


# ---------------------------------------------------------------- quarterly reviews


class ReviewView(ApiView):
    required_scope = Scope.READ_REVIEWS
    write_scope = Scope.WRITE_FACTS
    role_check = staticmethod(roles.can_view_registry)
    # Entering facts: the check of the page that adds an information item.
    write_check = staticmethod(can_grade)
    role_denied_message = "您没有访问或报送季度分析研判信息的权限。"


class ReviewListQuery(serializers.Serializer):
    year = serializers.IntegerField(required=False, min_value=2000, max_value=2100)
    quarter = serializers.IntegerField(required=False, min_value=1, max_value=4)


class ReviewListView(ReviewView):
    write_scope = None
    orderings = {"-period": ("-year", "-quarter", "id")}
    default_ordering = "-period"

    @extend_schema(tags=["季度分析研判"], summary="季度分析研判列表", parameters=[ReviewListQuery],
                   responses={200: s.ReviewSerializer(many=True), **errors(400, 401, 403, 429)})
    def get(self, request):
        f = query_params(ReviewListQuery, request)
        qs = reviews_visible_to(request.user).select_related("department")
        if f.get("year"):
            qs = qs.filter(year=f["year"])
        if f.get("quarter"):
            qs = qs.filter(quarter=f["quarter"])
        return self.paginated(qs.order_by(), s.ReviewSerializer)


def _visible_review(request, pk):
    return get_object_or_404(reviews_visible_to(request.user).select_related("department"), pk=pk)


class ReviewDetailView(ReviewView):
    write_scope = None

    @extend_schema(tags=["季度分析研判"], summary="季度分析研判详情",
                   responses={200: s.ReviewSerializer, **errors(401, 403, 404, 429)})
    def get(self, request, pk: int):
        return Response(s.ReviewSerializer(self.audit_object(_visible_review(request, pk))).data)


class ReviewFactsView(ReviewView):
    orderings = {"date": ("date", "id"), "id": ("id",)}
    default_ordering = "id"

    @extend_schema(tags=["季度分析研判"], summary="研判汇集的信息",
                   description="本季度汇集的信息：从其他模块自动汇集的与录入、报送的，只含权限范围内的干部。",
                   responses={200: s.FactSerializer(many=True), **errors(401, 403, 404, 429)})
    def get(self, request, pk: int):
        review = self.audit_object(_visible_review(request, pk))
        # Only facts about cadres the caller may see: a cadre transferred out of the
        # jurisdiction since keeps the facts in the review, not in the caller's answers.
        qs = review.items.filter(cadre__in=cadres_visible_to(request.user)).select_related("cadre__unit").order_by()
        return self.paginated(qs, s.FactSerializer)

    @extend_schema(tags=["季度分析研判"], summary="报送季度分析研判信息",
                   description="合作单位报送其决定的事实（处分决定、采取的措施、审计发现、信访事项、巡察发现、实绩），"
                               "经与页面相同的服务录入本季度研判（《张家口市激励干部担当干事的规定》第十四条）。须带 Idempotency-Key。",
                   parameters=[OpenApiParameter("Idempotency-Key", OpenApiTypes.STR, OpenApiParameter.HEADER,
                                                required=True, description="幂等键：重复提交返回首次结果，不重复录入")],
                   request=s.FactCreateSerializer,
                   responses={201: s.FactSerializer, **errors(400, 401, 403, 404, 413, 429)})
    def post(self, request, pk: int):
        review = self.audit_object(_visible_review(request, pk))

        def write():
            d = validated(s.FactCreateSerializer, request)
            cadre = cadres_visible_to(request.user).filter(pk=d["cadre_id"]).select_related("unit").first()
            if cadre is None:
                raise exceptions.ValidationError({"cadre_id": ["干部不存在，或不在您的权限范围内。"]})
            item = assessment_services.information_item_add(
                review=review, cadre=cadre, source=d["source"], date=d["date"], summary=d["summary"],
                polarity=d["polarity"], by=request.user)
            return 201, s.FactSerializer(item).data

        return run_idempotent(request, write)


# ---------------------------------------------------------------- writes


def validated(serializer_class, request) -> dict:
    if not isinstance(request.data, dict):
        raise exceptions.ValidationError({"non_field_errors": ["请求体应为 JSON 对象。"]})
    ser = serializer_class(data=request.data)
    ser.is_valid(raise_exception=True)
    return ser.validated_data


IDEMPOTENCY_KEY_MAX = 100


def run_idempotent(request, write) -> Response:
    """Writes carry an Idempotency-Key; the first answer is stored with the write and a
    repeat returns it (header Idempotent-Replayed: true) and creates nothing."""
    key = request.headers.get("Idempotency-Key", "").strip()
    if not key or len(key) > IDEMPOTENCY_KEY_MAX or not key.isprintable():
        raise exceptions.ValidationError({"Idempotency-Key": [
            f"写入请求须带 Idempotency-Key 请求头（1 至 {IDEMPOTENCY_KEY_MAX} 个可打印字符），重复提交时使用同一个值。"]})
    from api.models import ApiToken

    owner = f"token:{request.auth.pk}" if isinstance(request.auth, ApiToken) else f"user:{request.user.pk}"
    body = request._request.body  # read before request.data, which consumes the stream
    fingerprint = request_fingerprint(request.method, request.path, body)
    status, data, replayed = idempotent_write(owner=owner, key=key, fingerprint=fingerprint, write=write)
    response = Response(data, status=status)
    if replayed:
        response["Idempotent-Replayed"] = "true"
    return response
