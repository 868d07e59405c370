"""The qualification catalogue: the seeded entry codes booklet, the list and the detail page."""

import importlib

from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from centres.models import VOCATIONAL_TYPES, Qualification, QualificationType, Unit

seed_migration = importlib.import_module("centres.migrations.0003_seed_catalogue")

SCALES = {
    QualificationType.GCSE: ["9", "8", "7", "6", "5", "4", "3", "2", "1", "U"],
    QualificationType.A_LEVEL: ["A*", "A", "B", "C", "D", "E", "U"],
    QualificationType.AS_LEVEL: ["A", "B", "C", "D", "E", "U"],
    QualificationType.CAMBRIDGE_NATIONAL: [
        "L2D*",
        "L2D",
        "L2M",
        "L2P",
        "L1D",
        "L1M",
        "L1P",
        "U",
    ],
}


def make_qualification(code, title, **fields):
    defaults = {
        "qualification_type": QualificationType.CAMBRIDGE_TECHNICAL,
        "level": "Level 3",
        "grade_scale": ["D*", "D", "M", "P", "U"],
        "is_remotely_moderated": True,
    }
    return Qualification.objects.create(entry_code=code, title=title, **{**defaults, **fields})


# --- The seeded booklet ----------------------------------------------------------------------


def test_the_booklet_has_the_qualifications_the_product_needs(db):
    seeded = Qualification.objects.filter(entry_code__in=seed_migration.SEEDED_CODES)
    assert seeded.count() == len(seed_migration.SEEDED_CODES)
    technicals = seeded.filter(qualification_type=QualificationType.CAMBRIDGE_TECHNICAL)
    subjects = {q.title.split(" in ", 1)[1].split(" (")[0] for q in technicals}
    assert {"IT", "Business", "Sport and Physical Activity"} <= subjects
    for subject in ("IT", "Business", "Sport and Physical Activity"):
        sizes = {q.size for q in technicals if f" in {subject} (" in q.title}
        assert "Certificate" in sizes and len(sizes) >= 2
    assert technicals.get(entry_code="05840").guided_learning_hours == 180
    diploma = technicals.get(size="Diploma")
    assert diploma.grade_scale == ["D*D*", "D*D", "DD", "DM", "MM", "MP", "PP", "U"]
    assert seeded.filter(qualification_type=QualificationType.CAMBRIDGE_NATIONAL).count() >= 2
    assert seeded.filter(qualification_type=QualificationType.OTHER_VOCATIONAL).count() >= 2
    general = seeded.exclude(qualification_type__in=VOCATIONAL_TYPES)
    assert general.count() >= 8
    assert all(q.available_for_tags and not q.is_remotely_moderated for q in general)
    assert all(q.grade_scale == SCALES[q.qualification_type] for q in general)
    assert all(
        q.is_remotely_moderated for q in seeded.filter(qualification_type__in=VOCATIONAL_TYPES)
    )
    assert all(
        q.grade_scale == SCALES[q.qualification_type]
        for q in seeded.filter(qualification_type=QualificationType.CAMBRIDGE_NATIONAL)
    )
    assert all(
        u.number.startswith("R") for u in Unit.objects.filter(qualification__entry_code="J817")
    )


def test_every_vocational_grading_is_complete_data(db):
    """Every unit's GLH and grade has points; the bands run best first over the scale."""
    vocational = Qualification.objects.filter(
        entry_code__in=seed_migration.SEEDED_CODES, qualification_type__in=VOCATIONAL_TYPES
    ).prefetch_related("units")
    for qualification in vocational:
        units = list(qualification.units.all())
        assert units, qualification
        mandatory = [u for u in units if u.is_mandatory]
        assert mandatory and len(mandatory) <= qualification.units_required <= len(units)
        for unit in units:
            assert unit.guided_learning_hours in (30, 60, 90)
            points = qualification.unit_points[str(unit.guided_learning_hours)]
            assert set(unit.grade_scale) <= set(points), (qualification, unit)
        grades = [grade for grade, _ in qualification.grade_bands]
        minimums = [minimum for _, minimum in qualification.grade_bands]
        assert grades == qualification.grade_scale
        assert minimums == sorted(minimums, reverse=True) and minimums[-1] == 0
        # The best band is reachable with the units a learner needs.
        best_points = sorted(
            (max(qualification.unit_points[str(u.guided_learning_hours)].values()) for u in units),
            reverse=True,
        )[: qualification.units_required]
        assert sum(best_points) >= minimums[0], qualification


def test_the_seed_reverses_and_reapplies(db):
    seed_migration.unseed(apps, None)
    assert not Qualification.objects.filter(entry_code__in=seed_migration.SEEDED_CODES).exists()
    assert not Unit.objects.filter(qualification__entry_code="05840").exists()

    seed_migration.seed(apps, None)
    seed_migration.seed(apps, None)  # adds only what is missing

    assert Qualification.objects.filter(entry_code__in=seed_migration.SEEDED_CODES).count() == len(
        seed_migration.SEEDED_CODES
    )
    assert Unit.objects.filter(qualification__entry_code="05840").count() == 6


# --- The list --------------------------------------------------------------------------------


CATALOGUE = reverse("centres:catalogue")


def listed(response):
    return [q.entry_code for q in response.context["qualifications"]]


def test_anyone_signed_in_can_search_by_code_or_title(login, people):
    make_qualification("Z0001", "Cambridge Technical in Zymurgy (Certificate)")
    make_qualification("Z0002", "Cambridge Technical in Zymurgy (Diploma)")
    make_qualification("Y0001", "Cambridge Technical in Yodelling (Certificate)")
    client = login(people["outsider"])

    assert listed(client.get(CATALOGUE, {"q": "zymurgy"})) == ["Z0001", "Z0002"]
    assert listed(client.get(CATALOGUE, {"q": "y0001"})) == ["Y0001"]
    assert listed(client.get(CATALOGUE, {"q": "nothing like this"})) == []


def test_filter_by_type(login, people):
    client = login(people["teacher"])

    codes = listed(client.get(CATALOGUE, {"qualification_type": "a_level", "q": "H"}))

    assert codes and all(
        Qualification.objects.get(entry_code=c).qualification_type == "a_level" for c in codes
    )
    assert "J560" not in codes


def test_the_list_is_paginated_and_keeps_the_search(login, people):
    for n in range(30):
        make_qualification(f"Z{n:04d}", f"Cambridge Technical in Zymurgy {n:02d}")
    client = login(people["teacher"])

    first = client.get(CATALOGUE, {"q": "zymurgy"})
    second = client.get(CATALOGUE, {"q": "zymurgy", "page": 2})

    assert len(listed(first)) == 25 and len(listed(second)) == 5
    assert "q=zymurgy&amp;page=2" in first.content.decode()


def test_inactive_qualifications_are_hidden_except_from_staff(login, people):
    make_qualification("Z0001", "Cambridge Technical in Zymurgy", is_active=False)

    assert listed(login(people["teacher"]).get(CATALOGUE, {"q": "Z0001"})) == []
    assert listed(login(people["staff"]).get(CATALOGUE, {"q": "Z0001"})) == ["Z0001"]
    detail = reverse("centres:qualification", args=["Z0001"])
    assert login(people["teacher"]).get(detail).status_code == 404


def test_the_catalogue_needs_sign_in(client, db):
    response = client.get(CATALOGUE)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def count_queries(client, url, data=None):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, data).status_code == 200
    return len(queries)


def test_the_list_costs_the_same_queries_with_1_or_50_rows(login, people):
    client = login(people["teacher"])
    make_qualification("Z0000", "Cambridge Technical in Zymurgy 0")
    one = count_queries(client, CATALOGUE, {"q": "zymurgy"})
    for n in range(1, 50):
        qualification = make_qualification(f"Z{n:04d}", f"Cambridge Technical in Zymurgy {n}")
        Unit.objects.create(
            qualification=qualification, number="1", title="Brewing", guided_learning_hours=60
        )
    assert count_queries(client, CATALOGUE, {"q": "zymurgy"}) == one


# --- The detail page -------------------------------------------------------------------------


def test_detail_lists_units_mandatory_first_with_grading(login, people):
    response = login(people["teacher"]).get(reverse("centres:qualification", args=["05840"]))

    assert response.status_code == 200
    units = response.context["units"]
    flags = [u.is_mandatory for u in units]
    assert flags == sorted(flags, reverse=True)
    assert [u.number for u in units if not u.is_mandatory] == ["3", "5", "6", "13"]
    assert response.context["points_grades"] == ["D", "M", "P", "U"]
    assert ("60", [16, 11, 7, 0]) in response.context["points_rows"]
    content = response.content.decode()
    assert "Fundamentals of IT" in content
    assert "Qualification grade bands" in content
    assert "Mandatory" in content and "Optional" in content


def test_detail_of_a_national_keeps_the_grade_order(login, people):
    response = login(people["teacher"]).get(reverse("centres:qualification", args=["J817"]))

    assert response.context["points_grades"] == SCALES[QualificationType.CAMBRIDGE_NATIONAL]
    assert [u.number for u in response.context["units"]][:2] == ["R081", "R082"]


def test_detail_of_a_gcse_has_no_units(login, people):
    response = login(people["teacher"]).get(reverse("centres:qualification", args=["J560"]))

    assert response.status_code == 200
    assert response.context["units"] == []
    assert "9 8 7 6 5 4 3 2 1 U" in response.content.decode()


def test_unknown_entry_code_is_404(login, people):
    assert login(people["teacher"]).get("/qualifications/NOPE1/").status_code == 404


def test_detail_costs_the_same_queries_with_1_or_many_units(login, people):
    client = login(people["teacher"])
    few = make_qualification("Z0001", "Cambridge Technical in Zymurgy")
    many = make_qualification("Z0002", "Cambridge Technical in Zymurgy (Diploma)")
    Unit.objects.create(qualification=few, number="1", title="U", guided_learning_hours=60)
    for n in range(1, 30):
        Unit.objects.create(
            qualification=many, number=str(n), title=f"U{n}", guided_learning_hours=60
        )

    assert count_queries(client, reverse("centres:qualification", args=["Z0001"])) == (
        count_queries(client, reverse("centres:qualification", args=["Z0002"]))
    )
