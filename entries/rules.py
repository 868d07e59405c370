"""Permission predicates for candidates, access arrangements and entries (object: the centre)."""

import rules

from centres.rules import is_centre_admin, is_head_of_centre, is_staff, is_teacher

can_see_entries = is_centre_admin | is_teacher | is_head_of_centre | is_staff

rules.add_perm("entries.view_candidates", can_see_entries)
rules.add_perm("entries.manage_candidates", is_centre_admin)
rules.add_perm("entries.view_arrangements", can_see_entries)
rules.add_perm("entries.manage_arrangements", is_centre_admin)
rules.add_perm("entries.view_entries", can_see_entries)
rules.add_perm("entries.manage_entries", is_centre_admin)
# Bulk upload files: made and confirmed by the centre admin; staff may look.
rules.add_perm("entries.view_uploads", is_centre_admin | is_staff)
