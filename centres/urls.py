from django.urls import path

from . import views

app_name = "centres"

urlpatterns = [
    path("centres/<centre:number>/", views.CentreHomeView.as_view(), name="home"),
    path("centres/<centre:number>/audit/", views.AuditTrailView.as_view(), name="audit"),
]
