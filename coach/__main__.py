"""`python -m coach` runs the command line."""

try:
    from coach.cli import main
except KeyboardInterrupt:  # Ctrl-C while the command line is still being imported
    raise SystemExit(130) from None

raise SystemExit(main())
