"""No form of the project shows one of Django's own error messages ("This field is required.",
"Enter a valid date.", "Select a valid choice…"): every form page is posted empty and with
hostile values (the form views and their setups are those of ``test_form_fuzz``), and every
message Django's form fields, validators and auth forms can give is looked for in the answer.
Each answer with form errors also has the error summary and a title starting "Error: ".
"""

import html
import importlib
import inspect
import pkgutil
import re
from io import StringIO

import pytest
from django import forms
from django.apps import apps
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import get_user_model
from django.core import validators
from django.core.management import call_command
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ocradmin.fields import ModelChoiceField
from ocradmin.forms import Form, PlainErrorsMixin
from ocradmin.models import User
from ocradmin.validators import SingleLineCharField

from .test_form_fuzz import EVERY_FIELD, read_fields, setups

MARK = 1000003  # stands for every %-parameter of a message


class Params(dict):
    def __missing__(self, key):
        return MARK


def fragments(message) -> list[str]:
    """The literal parts of a message around its parameters, long enough to be telling."""
    try:
        text = str(message % Params())
    except (TypeError, ValueError, KeyError):
        text = str(message)
    return [part.strip() for part in re.split(rf"{MARK}|\{{[^}}]*\}}", text) if len(part) >= 12]


def django_defaults() -> set[str]:
    """Every error message of Django's form fields, core validators and auth forms."""
    messages = []
    for module in (forms.fields, forms.models, auth_forms):
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, forms.Field):
                for klass in cls.__mro__:
                    messages += getattr(klass, "default_error_messages", {}).values()
            if issubclass(cls, forms.BaseForm) and isinstance(
                getattr(cls, "error_messages", None), dict
            ):
                messages += cls.error_messages.values()
    for _, cls in inspect.getmembers(validators, inspect.isclass):
        message = getattr(cls, "message", None)
        if message is not None and not isinstance(message, property):
            messages.append(message)
        if isinstance(getattr(cls, "messages", None), dict):
            messages += cls.messages.values()
    found = {part for message in messages for part in fragments(message)}
    assert "This field is required." in found and "Enter a valid date." in found
    assert any(part.startswith("Select a valid choice") for part in found)
    assert any(part.startswith("Ensure this value has at most") for part in found)
    return found


DEFAULTS = django_defaults()


def defaults_in(text: str) -> list[str]:
    text = html.unescape(text)
    return sorted(part for part in DEFAULTS if part in text)


def bad_posts(fields):
    """Every field empty, then every field one hostile value, then values no field takes."""
    yield {name: [""] for name in fields}
    for value in EVERY_FIELD:
        yield {name: [value] for name in fields}
    yield {name: ["999999999"] for name in fields}
    yield {name: ["not a real answer"] for name in fields}


def context_values(response) -> list:
    """Every value of every context the response's templates were rendered with."""
    contexts = response.context
    if contexts is None:
        return []
    if not isinstance(contexts, list):
        contexts = [contexts]
    return [value for context in contexts for value in context.flatten().values()]


def check_form(client: Client, name, email, target, page, prepare=None):
    if prepare is not None:
        prepare()
    user = get_user_model().objects.get(email=email) if email else None

    def sign_in():
        client.logout()
        if user is not None:
            client.force_login(user)

    sign_in()
    target, fields = read_fields(client, target, page or target)
    problems, summaries = [], 0
    for data in bad_posts(fields):
        with transaction.atomic():
            sign_in()
            response = client.post(target, data)
            transaction.set_rollback(True)
        text = response.content.decode()
        found = defaults_in(text)
        if found:
            problems.append((name, sorted(data)[:3], found))
        has_errors = any(
            isinstance(value, forms.BaseForm) and value.is_bound and value.errors
            for value in context_values(response)
        )
        if response.status_code == 200 and has_errors and "<title>" in text:
            assert "<title>Error: " in text, (name, "the title does not start with Error:")
            assert "There is a problem" in text, (name, "no error summary")
            summaries += 1
    return problems, summaries


def test_no_form_page_shows_a_django_default_message(db, client):
    call_command("seed_demo", stdout=StringIO())
    problems, summaries = [], 0
    for name, setup in sorted(setups().items()):
        with transaction.atomic():
            found, shown = check_form(client, name, *setup)
            problems += found
            summaries += shown
            transaction.set_rollback(True)
    assert problems == []
    assert summaries > 100  # the error summary was seen on that many answers


# --- Every form class of the project -----------------------------------------------------------


def project_form_classes():
    """Every form class defined in the project's own modules."""
    found = set()
    for config in apps.get_app_configs():
        if not config.path.startswith(str(apps.get_app_config("ocradmin").path.rsplit("/", 1)[0])):
            continue
        if ".venv" in config.path or "site-packages" in config.path:
            continue
        package = importlib.import_module(config.name)
        names = [config.name]
        if hasattr(package, "__path__"):
            names += [
                info.name
                for info in pkgutil.walk_packages(package.__path__, f"{config.name}.")
                if "migrations" not in info.name and "management" not in info.name
            ]
        for module_name in names:
            try:
                module = importlib.import_module(module_name)
            except ImportError:
                continue
            for _, cls in inspect.getmembers(module, inspect.isclass):
                if (
                    issubclass(cls, forms.BaseForm)
                    and cls.__module__ == module.__name__
                    and not cls.__name__.startswith("_")
                ):
                    found.add(cls)
    return found


# Forms Django admin shows: its own page, its own messages.
ADMIN_FORMS = {"UserCreationForm", "UserEditForm"}


def test_every_form_of_the_project_uses_the_plain_messages():
    classes = {cls for cls in project_form_classes() if cls.__name__ not in ADMIN_FORMS}
    assert len(classes) > 30
    assert (
        sorted(
            f"{cls.__module__}.{cls.__name__}"
            for cls in classes
            if not issubclass(cls, PlainErrorsMixin)
        )
        == []
    )


@pytest.mark.parametrize(
    ("field", "data", "message"),
    [
        (forms.CharField(label="Last name"), "", "Enter the last name"),
        (
            forms.CharField(label="Last name", max_length=3),
            "abcd",
            "Last name must be 3 characters or fewer",
        ),
        (
            forms.EmailField(label="Email address"),
            "nope",
            "Enter an email address in the correct format, like name@example.com",
        ),
        (
            forms.IntegerField(label="Number of candidates", max_value=10),
            "11",
            "Number of candidates must be 10 or less",
        ),
        (forms.IntegerField(label="Extra time (%)"), "x", "Extra time must be a whole number"),
        (forms.DateField(label="Date posted"), "2021-02-30", "Date posted must be a real date"),
        (
            forms.ChoiceField(label="Qualification", choices=[("a", "A")]),
            "",
            "Choose a qualification",
        ),
        (
            forms.ChoiceField(label="Qualification", choices=[("a", "A")]),
            "b",
            "Choose the qualification from the list",
        ),
        (forms.CharField(label="UCI (unique candidate identifier)"), "", "Enter the UCI"),
        (forms.CharField(label="Your name"), "", "Enter your name"),
        (forms.ChoiceField(label="Arrangement", choices=[("a", "A")]), "", "Choose an arrangement"),
        (
            SingleLineCharField(label="Town"),
            "a\x00b",
            "Remove the line breaks, tabs or other control characters from this answer.",
        ),
        (forms.CharField(label="Reason", error_messages={"required": "Say why"}), "", "Say why"),
    ],
)
def test_plain_messages(field, data, message):
    class TheForm(PlainErrorsMixin, forms.Form):
        pass

    form = TheForm({"answer": data})
    form.fields["answer"] = field
    assert form.errors["answer"] == [message]


def test_the_empty_choice_reads_choose():
    class TheForm(Form):
        person = ModelChoiceField(queryset=User.objects.none(), label="Teacher")
        kind = forms.ChoiceField(label="Arrangement", choices=[("", "---------"), ("a", "A")])
        given = forms.ChoiceField(label="Status", choices=[("", "Any status"), ("a", "A")])

    html = str(TheForm())
    assert "Choose a teacher" in html and "Choose an arrangement" in html
    assert "Any status" in html and "---------" not in html


def test_a_bad_value_in_a_lists_filters_reads_in_plain_english(login, people, centre):
    client = login(people["centre_admin"])
    entries = client.get(
        reverse("entries:list", args=[centre.number]),
        {"status": "bogus", "qualification": "1" * 23},
    ).content.decode()
    assert "Choose the status from the list" in entries
    assert "Choose the qualification from the list" in entries
    audit = client.get(reverse("centres:audit", args=[centre.number]), {"since": "2021-02-30"})
    assert "From must be a real date" in audit.content.decode()
    for page in (entries, audit.content.decode()):
        assert defaults_in(page) == []


def test_a_bad_filter_value_marks_its_field_and_points_at_the_error(login, people, centre):
    page = (
        login(people["centre_admin"])
        .get(reverse("entries:list", args=[centre.number]), {"status": "bogus"})
        .content.decode()
    )
    select = re.search(r"<select name=\"status\"[^>]*>", page).group()
    assert 'id="id_status"' in select and 'aria-invalid="true"' in select
    assert 'aria-describedby="id_status_error"' in select and "is-invalid" in select
    assert '<label for="id_status" class="form-label">Status</label>' in page
    assert '<div id="id_status_error" class="invalid-feedback">' in page
    other = re.search(r"<select name=\"kind\"[^>]*>", page).group()
    assert "is-invalid" not in other and "aria-invalid" not in other


@pytest.mark.postgres
def test_a_filters_list_of_objects_is_one_plain_query(login, people, centre):
    client = login(people["centre_admin"])
    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("entries:list", args=[centre.number]))
    assert not [q for q in queries.captured_queries if q["sql"].startswith("DECLARE")]


def test_a_validators_own_message_is_kept_and_djangos_is_replaced():
    from django.core.validators import RegexValidator

    class TheForm(Form):
        own = forms.CharField(
            label="Code",
            validators=[RegexValidator(r"^[A-Z]+$", message="Use capital letters only")],
        )
        plain = forms.CharField(label="Reference", validators=[RegexValidator(r"^[A-Z]+$")])

    form = TheForm({"own": "abc", "plain": "abc"})
    assert form.errors == {
        "own": ["Use capital letters only"],
        "plain": ["Enter a real reference"],
    }
