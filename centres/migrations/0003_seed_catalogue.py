"""The qualification catalogue ("entry codes booklet"): the remotely moderated vocational
qualifications with their units, points and bands, and the GCSE, A level and AS subjects of the
2021 teacher-assessed grades.

Grading is data. ``unit_points`` maps a unit's guided learning hours to the points each unit
grade earns; ``grade_bands`` lists ``[grade, minimum points]`` best first. A Cambridge Technical
unit earns 8/5/3 points per 30 GLH for a Distinction/Merit/Pass (16/11/7 for 60 GLH, 24/16/10
for 90 GLH); the bands are set against the points of the units a learner needs.

Forwards adds only the entry codes that are missing; backwards deletes these entry codes and
their units.
"""

from django.db import migrations

TECHNICAL_UNIT_SCALE = ["D", "M", "P", "U"]
TECHNICAL_POINTS = {
    "30": {"D": 8, "M": 5, "P": 3, "U": 0},
    "60": {"D": 16, "M": 11, "P": 7, "U": 0},
    "90": {"D": 24, "M": 16, "P": 10, "U": 0},
}
SINGLE_SCALE = ["D*", "D", "M", "P", "U"]
DIPLOMA_SCALE = ["D*D*", "D*D", "DD", "DM", "MM", "MP", "PP", "U"]

NATIONAL_SCALE = ["L2D*", "L2D", "L2M", "L2P", "L1D", "L1M", "L1P", "U"]
NATIONAL_POINTS = {
    "30": {"L2D*": 8, "L2D": 7, "L2M": 6, "L2P": 5, "L1D": 4, "L1M": 3, "L1P": 2, "U": 0},
}
NATIONAL_BANDS = [
    ["L2D*", 31],
    ["L2D", 27],
    ["L2M", 23],
    ["L2P", 19],
    ["L1D", 15],
    ["L1M", 11],
    ["L1P", 7],
    ["U", 0],
]

GCSE_SCALE = ["9", "8", "7", "6", "5", "4", "3", "2", "1", "U"]
A_LEVEL_SCALE = ["A*", "A", "B", "C", "D", "E", "U"]
AS_SCALE = ["A", "B", "C", "D", "E", "U"]


def technical(code, subject, size, glh, units_required, bands, units, option_codes=()):
    return {
        "entry_code": code,
        "title": f"Cambridge Technical in {subject} ({size})",
        "qualification_type": "cambridge_technical",
        "level": "Level 3",
        "size": size,
        "guided_learning_hours": glh,
        "units_required": units_required,
        "grade_scale": [grade for grade, _ in bands],
        "unit_points": TECHNICAL_POINTS,
        "grade_bands": bands,
        "option_codes": list(option_codes),
        "is_remotely_moderated": True,
        "units": [(n, t, g, m, TECHNICAL_UNIT_SCALE) for n, t, g, m in units],
    }


def national(code, subject, units):
    return {
        "entry_code": code,
        "title": f"Cambridge National in {subject} (Certificate)",
        "qualification_type": "cambridge_national",
        "level": "Level 1/Level 2",
        "size": "Certificate",
        "guided_learning_hours": 120,
        "units_required": 4,
        "grade_scale": NATIONAL_SCALE,
        "unit_points": NATIONAL_POINTS,
        "grade_bands": NATIONAL_BANDS,
        "option_codes": ["01", "02"],
        "is_remotely_moderated": True,
        "units": [(n, t, 30, m, NATIONAL_SCALE) for n, t, m in units],
    }


def general(code, title, kind):
    level, glh, scale = {
        "gcse": ("Level 1/Level 2", 120, GCSE_SCALE),
        "a_level": ("Level 3", 360, A_LEVEL_SCALE),
        "as_level": ("Level 3", 180, AS_SCALE),
    }[kind]
    prefix = {"gcse": "GCSE (9–1)", "a_level": "A level", "as_level": "AS level"}[kind]
    return {
        "entry_code": code,
        "title": f"{prefix} {title}",
        "qualification_type": kind,
        "level": level,
        "size": "",
        "guided_learning_hours": glh,
        "units_required": 0,
        "grade_scale": scale,
        "unit_points": {},
        "grade_bands": [],
        "option_codes": [],
        "is_remotely_moderated": False,
        "available_for_tags": True,
        "units": [],
    }


CERTIFICATE_BANDS = [["D*", 48], ["D", 43], ["M", 32], ["P", 21], ["U", 0]]
EXTENDED_CERTIFICATE_BANDS = [["D*", 94], ["D", 86], ["M", 64], ["P", 42], ["U", 0]]
DIPLOMA_BANDS = [
    ["D*D*", 186],
    ["D*D", 178],
    ["DD", 168],
    ["DM", 150],
    ["MM", 130],
    ["MP", 108],
    ["PP", 84],
    ["U", 0],
]

IT_UNITS = [
    ("1", "Fundamentals of IT", 60, True),
    ("2", "Global information", 60, True),
    ("3", "Cyber security", 60, False),
    ("5", "Virtual and augmented reality", 60, False),
    ("6", "Application design", 60, False),
    ("13", "Social media and digital marketing", 60, False),
]
IT_EXTENDED_UNITS = [
    ("1", "Fundamentals of IT", 60, True),
    ("2", "Global information", 60, True),
    ("3", "Cyber security", 60, True),
    ("4", "Computer networks", 60, False),
    ("5", "Virtual and augmented reality", 60, False),
    ("6", "Application design", 60, False),
    ("8", "Project management", 60, False),
    ("9", "Product development", 60, False),
    ("12", "Mobile technology", 30, False),
    ("13", "Social media and digital marketing", 60, False),
    ("17", "Internet of everything", 60, False),
    ("20", "Business computing", 90, False),
]
BUSINESS_UNITS = [
    ("1", "The business environment", 60, True),
    ("2", "Working in business", 60, True),
    ("4", "Customers and communication", 60, False),
    ("5", "Marketing and market research", 60, False),
    ("16", "Principles of project management", 60, False),
]
BUSINESS_EXTENDED_UNITS = [
    ("1", "The business environment", 60, True),
    ("2", "Working in business", 60, True),
    ("3", "Business resources", 60, True),
    ("4", "Customers and communication", 60, True),
    ("5", "Marketing and market research", 60, False),
    ("6", "Marketing strategy", 60, False),
    ("7", "Marketing campaign", 60, False),
    ("8", "Introduction to human resources", 60, False),
    ("9", "Recruitment and selection", 60, False),
    ("10", "Business events", 30, False),
    ("16", "Principles of project management", 60, False),
    ("21", "Delivering a business project", 90, False),
]
SPORT_UNITS = [
    ("1", "Body systems and the effects of physical activity", 60, True),
    ("2", "Sports coaching and activity leadership", 60, True),
    ("3", "Sports organisation and development", 60, False),
    ("4", "Working safely in sport, exercise, health and leisure", 60, False),
    ("5", "Performance analysis in sport and exercise", 60, False),
    ("17", "Sports injuries and rehabilitation", 60, False),
]
SPORT_DIPLOMA_UNITS = [
    ("1", "Body systems and the effects of physical activity", 60, True),
    ("2", "Sports coaching and activity leadership", 60, True),
    ("3", "Sports organisation and development", 60, True),
    ("4", "Working safely in sport, exercise, health and leisure", 60, True),
    ("5", "Performance analysis in sport and exercise", 60, True),
    ("6", "Anatomy and physiology in sport", 60, True),
    ("7", "Improving fitness for sport and physical activity", 60, False),
    ("8", "Organisation of sports events", 60, False),
    ("9", "Outdoor activities", 60, False),
    ("10", "Biomechanics and movement analysis", 60, False),
    ("11", "Physical activity for specific groups", 60, False),
    ("12", "Nutrition and diet for sport and exercise", 60, False),
    ("13", "Health and fitness testing for sport and exercise", 60, False),
    ("17", "Sports injuries and rehabilitation", 60, False),
    ("18", "Sport and exercise psychology", 60, False),
    ("19", "Practical skills in sport and physical activities", 30, False),
    ("20", "Work-based project in sport", 90, False),
]

QUALIFICATIONS = [
    technical("05840", "IT", "Certificate", 180, 3, CERTIFICATE_BANDS, IT_UNITS),
    technical(
        "05841",
        "IT",
        "Extended Certificate",
        360,
        6,
        EXTENDED_CERTIFICATE_BANDS,
        IT_EXTENDED_UNITS,
        option_codes=["A", "B", "C", "D"],
    ),
    technical("05834", "Business", "Certificate", 180, 3, CERTIFICATE_BANDS, BUSINESS_UNITS),
    technical(
        "05835",
        "Business",
        "Extended Certificate",
        360,
        6,
        EXTENDED_CERTIFICATE_BANDS,
        BUSINESS_EXTENDED_UNITS,
    ),
    technical(
        "05826",
        "Sport and Physical Activity",
        "Certificate",
        180,
        3,
        CERTIFICATE_BANDS,
        SPORT_UNITS,
    ),
    technical(
        "05828",
        "Sport and Physical Activity",
        "Diploma",
        720,
        12,
        DIPLOMA_BANDS,
        SPORT_DIPLOMA_UNITS,
    ),
    national(
        "J817",
        "Creative iMedia",
        [
            ("R081", "Pre-production skills", True),
            ("R082", "Creating digital graphics", True),
            ("R083", "Creating 2D and 3D digital characters", False),
            ("R084", "Storytelling with a comic strip", False),
            ("R085", "Creating a multipage website", False),
            ("R086", "Creating a digital animation", False),
            ("R087", "Creating interactive multimedia products", False),
            ("R089", "Creating a digital video sequence", False),
            ("R090", "Digital photography", False),
            ("R092", "Developing digital games", False),
        ],
    ),
    national(
        "J813",
        "Sport Studies",
        [
            ("R051", "Contemporary issues in sport", True),
            ("R052", "Developing sports skills", True),
            ("R053", "Sports leadership", False),
            ("R054", "Sport and the media", False),
            ("R055", "Working in the sports industry", False),
            ("R056", "Developing knowledge and skills in outdoor activities", False),
        ],
    ),
    {
        "entry_code": "10471",
        "title": "Entry Level Award in Employability Skills (Entry 3)",
        "qualification_type": "other_vocational",
        "level": "Entry Level 3",
        "size": "Award",
        "guided_learning_hours": 60,
        "units_required": 2,
        "grade_scale": ["P", "U"],
        "unit_points": {"30": {"P": 3, "U": 0}},
        "grade_bands": [["P", 6], ["U", 0]],
        "option_codes": [],
        "is_remotely_moderated": True,
        "units": [
            ("E1", "Preparing for work", 30, True, ["P", "U"]),
            ("E2", "Working with others", 30, False, ["P", "U"]),
            ("E3", "Managing your own money", 30, False, ["P", "U"]),
        ],
    },
    {
        "entry_code": "10482",
        "title": "Level 2 Award in Health and Fitness",
        "qualification_type": "other_vocational",
        "level": "Level 2",
        "size": "Award",
        "guided_learning_hours": 90,
        "units_required": 3,
        "grade_scale": ["D", "M", "P", "U"],
        "unit_points": {"30": TECHNICAL_POINTS["30"]},
        "grade_bands": [["D", 22], ["M", 15], ["P", 9], ["U", 0]],
        "option_codes": [],
        "is_remotely_moderated": True,
        "units": [
            ("1", "Principles of health and fitness", 30, True, TECHNICAL_UNIT_SCALE),
            ("2", "Planning a personal fitness programme", 30, True, TECHNICAL_UNIT_SCALE),
            ("3", "Healthy eating and nutrition", 30, False, TECHNICAL_UNIT_SCALE),
            ("4", "Leading a fitness session", 30, False, TECHNICAL_UNIT_SCALE),
        ],
    },
    general("J560", "Mathematics", "gcse"),
    general("J351", "English Language", "gcse"),
    general("J352", "English Literature", "gcse"),
    general("J247", "Biology A (Gateway Science)", "gcse"),
    general("J248", "Chemistry A (Gateway Science)", "gcse"),
    general("J249", "Physics A (Gateway Science)", "gcse"),
    general("J277", "Computer Science", "gcse"),
    general("J383", "Geography B (Geography for Enquiring Minds)", "gcse"),
    general("H240", "Mathematics A", "a_level"),
    general("H420", "Biology A", "a_level"),
    general("H432", "Chemistry A", "a_level"),
    general("H556", "Physics A", "a_level"),
    general("H446", "Computer Science", "a_level"),
    general("H505", "History A", "a_level"),
    general("H230", "Mathematics A", "as_level"),
    general("H020", "Biology A", "as_level"),
    general("H046", "Computer Science", "as_level"),
]

SEEDED_CODES = [q["entry_code"] for q in QUALIFICATIONS]


def seed(apps, schema_editor):
    Qualification = apps.get_model("centres", "Qualification")
    Unit = apps.get_model("centres", "Unit")
    existing = set(
        Qualification.objects.filter(entry_code__in=SEEDED_CODES).values_list(
            "entry_code", flat=True
        )
    )
    for data in QUALIFICATIONS:
        if data["entry_code"] in existing:
            continue
        fields = {k: v for k, v in data.items() if k != "units"}
        qualification = Qualification.objects.create(is_active=True, **fields)
        Unit.objects.bulk_create(
            Unit(
                qualification=qualification,
                number=number,
                title=title,
                guided_learning_hours=glh,
                is_mandatory=mandatory,
                grade_scale=scale,
            )
            for number, title, glh, mandatory, scale in data["units"]
        )


def unseed(apps, schema_editor):
    Qualification = apps.get_model("centres", "Qualification")
    Unit = apps.get_model("centres", "Unit")
    Unit.objects.filter(qualification__entry_code__in=SEEDED_CODES).delete()
    Qualification.objects.filter(entry_code__in=SEEDED_CODES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("centres", "0002_initial"),
    ]

    operations = [
        migrations.RunPython(seed, unseed),
    ]
