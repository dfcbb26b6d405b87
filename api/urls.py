from django.urls import path
from drf_spectacular.views import SpectacularAPIView

from api import pages, views
from api.authentication import ApiTokenAuthentication, BrowserSessionAuthentication

app_name = "api"


class SchemaView(SpectacularAPIView):
    """The OpenAPI schema, for partners (with a token) and the docs page (session)."""

    authentication_classes = [ApiTokenAuthentication, BrowserSessionAuthentication]


urlpatterns = [
    path("api/v1/units/", views.UnitListView.as_view(), name="unit_list"),
    path("api/v1/cadres/", views.CadreListView.as_view(), name="cadre_list"),
    path("api/v1/cadres/<int:pk>/", views.CadreDetailView.as_view(), name="cadre_detail"),
    path("api/v1/shortlist/", views.ShortlistView.as_view(), name="shortlist"),
    path("api/v1/cases/", views.CaseListView.as_view(), name="case_list"),
    path("api/v1/cases/<int:pk>/", views.CaseDetailView.as_view(), name="case_detail"),
    path("api/v1/allegations/", views.AllegationListView.as_view(), name="allegation_list"),
    path("api/v1/allegations/<int:pk>/", views.AllegationDetailView.as_view(), name="allegation_detail"),
    path("api/v1/notices/", views.NoticeListView.as_view(), name="notice_list"),
    path("api/v1/notices/<int:pk>/", views.NoticeDetailView.as_view(), name="notice_detail"),
    path("api/v1/notices/<int:pk>/pdf/", views.NoticePdfView.as_view(), name="notice_pdf"),
    path("api/v1/reviews/", views.ReviewListView.as_view(), name="review_list"),
    path("api/v1/reviews/<int:pk>/", views.ReviewDetailView.as_view(), name="review_detail"),
    path("api/v1/reviews/<int:pk>/facts/", views.ReviewFactsView.as_view(), name="review_facts"),
    path("api/schema/", SchemaView.as_view(), name="schema"),
    path("api/docs/", pages.api_docs, name="docs"),
    path("api/tokens/", pages.token_list, name="token_list"),
    path("api/tokens/<int:pk>/revoke/", pages.token_revoke, name="token_revoke"),
]
