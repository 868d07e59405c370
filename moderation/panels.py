"""The moderator's dashboard tasks, the staff board's moderation panels and the moderation
sections of the centre's claim page."""
