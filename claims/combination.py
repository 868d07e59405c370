"""The rule of combination: which units a candidate still needs for the whole qualification."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Shortfall:
    missing_mandatory: list  # Unit rows, in unit order
    units_needed: int  # units still needed beyond the mandatory ones named
    units_counted: int

    def __bool__(self):
        return bool(self.missing_mandatory) or self.units_needed > 0

    def describe(self, qualification) -> str:
        parts = []
        if self.missing_mandatory:
            names = ", ".join(f"unit {u.number} {u.title}" for u in self.missing_mandatory)
            parts.append(
                f"the mandatory {'unit' if len(self.missing_mandatory) == 1 else 'units'} {names}"
            )
        if self.units_needed:
            more = "more " if self.missing_mandatory else ""
            noun = "unit" if self.units_needed == 1 else "units"
            parts.append(f"{self.units_needed} {more}{noun}")
        return (
            f"{qualification.entry_code} needs every mandatory unit and "
            f"{qualification.units_required} units in all; this candidate has "
            f"{self.units_counted} so far and is missing " + " and ".join(parts) + "."
        )


def shortfall(qualification, units, unit_ids: set[int]) -> Shortfall:
    """``units``: every unit of the qualification; ``unit_ids``: the ones claimed or achieved."""
    missing = [u for u in units if u.is_mandatory and u.pk not in unit_ids]
    counted = len({u.pk for u in units} & unit_ids)
    needed = max(qualification.units_required - counted - len(missing), 0)
    return Shortfall(missing_mandatory=missing, units_needed=needed, units_counted=counted)
