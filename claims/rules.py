"""Permission predicates for claims (object: the centre).

Centre admins and teachers build, submit and send the work of claims; the head of centre
reads them (they do not assess the work, so they neither build nor sign the authentication
declaration); the AAM user never sees them. The allocated examiner-moderator reaches a
submitted claim through ``/moderation/claims/…``, scoped by allocation, not through these.
"""

import rules

from centres.rules import is_centre_admin, is_head_of_centre, is_staff, is_teacher

rules.add_perm("claims.view_claims", is_centre_admin | is_teacher | is_head_of_centre | is_staff)
rules.add_perm("claims.build_claims", is_centre_admin | is_teacher)
