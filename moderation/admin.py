from django.contrib import admin

from .models import FeedbackReport, LineDecision, Review, UnitFeedback


class LineDecisionInline(admin.TabularInline):
    model = LineDecision
    extra = 0
    raw_id_fields = ["line", "decided_by"]


@admin.register(Review)
class ReviewAdmin(admin.ModelAdmin):
    list_display = ["claim", "moderator", "status", "outcome", "started_at", "completed_at"]
    list_filter = ["status", "outcome"]
    search_fields = ["claim__number", "claim__centre__number", "moderator__email"]
    list_select_related = ["claim__qualification", "moderator"]
    raw_id_fields = ["claim", "moderator"]
    inlines = [LineDecisionInline]


class UnitFeedbackInline(admin.StackedInline):
    model = UnitFeedback
    extra = 0
    raw_id_fields = ["unit"]


@admin.register(FeedbackReport)
class FeedbackReportAdmin(admin.ModelAdmin):
    list_display = ["review", "submitted_at", "emailed_at"]
    search_fields = ["review__claim__number", "review__claim__centre__number"]
    list_select_related = ["review__claim__qualification"]
    raw_id_fields = ["review", "submitted_by"]
    inlines = [UnitFeedbackInline]
