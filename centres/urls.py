from django.urls import path

from .views import centre

app_name = "centres"

urlpatterns = [
    # Centre pages: /centres/<number>/…
    path("centres/<centre:number>/", centre.CentreHomeView.as_view(), name="home"),
    path("centres/<centre:number>/audit/", centre.AuditTrailView.as_view(), name="audit"),
]
