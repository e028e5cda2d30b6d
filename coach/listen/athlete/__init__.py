"""The athlete's voice: its embedding, stored profile, enrolment and match."""
