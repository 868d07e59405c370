from django.contrib import admin

from .models import Claim, ClaimLine, Dispatch, Evidence, FullAwardRequest


class ClaimLineInline(admin.TabularInline):
    model = ClaimLine
    extra = 0
    raw_id_fields = ["candidate", "unit", "entry", "added_by"]


@admin.register(Claim)
class ClaimAdmin(admin.ModelAdmin):
    list_display = ["__str__", "centre", "status", "submitted_at", "work_due_at", "results_due_on"]
    list_filter = ["status"]
    search_fields = ["number", "centre__number", "qualification__entry_code"]
    list_select_related = ["centre", "qualification"]
    raw_id_fields = [
        "centre",
        "qualification",
        "moderator",
        "built_by",
        "submitted_by",
        "work_received_by",
    ]
    readonly_fields = ["number"]
    inlines = [ClaimLineInline]


@admin.register(Evidence)
class EvidenceAdmin(admin.ModelAdmin):
    list_display = ["original_name", "claim", "candidate", "unit", "kind", "size", "uploaded_at"]
    list_select_related = ["claim__qualification", "candidate", "unit"]
    raw_id_fields = ["claim", "candidate", "unit", "uploaded_by"]


@admin.register(Dispatch)
class DispatchAdmin(admin.ModelAdmin):
    list_display = ["claim", "posted_on", "carrier", "tracking_reference"]
    list_select_related = ["claim__qualification"]
    raw_id_fields = ["claim", "recorded_by"]


@admin.register(FullAwardRequest)
class FullAwardRequestAdmin(admin.ModelAdmin):
    list_display = ["claim", "candidate", "requested_at"]
    raw_id_fields = ["claim", "candidate", "requested_by"]
