"""For demos and trials: move the current grade series so today is inside its submission
window (every window moves by the same amount). Never run it on a live system."""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from grades.selectors import current_series
from grades.services.series import shift_into_submission_window


class Command(BaseCommand):
    help = "Shift the current grade series so that its submission window is open today."

    def add_arguments(self, parser):
        parser.add_argument(
            "--opened-days-ago",
            type=int,
            default=7,
            help="How many days ago submission should have opened (default 7).",
        )

    def handle(self, *args, opened_days_ago, **options):
        series = current_series()
        if series is None:
            raise CommandError("There is no current grade series.")
        series = shift_into_submission_window(series=series, opened_days_ago=opened_days_ago)
        closes = timezone.localtime(series.submission_closes_at)
        self.stdout.write(f"{series}: submission open, closes {closes:%d %B %Y %H:%M}.")
