"""The session engine: events in, actions out, one state machine in between."""
