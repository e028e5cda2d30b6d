"""Expand a Workout into the flat list of steps a session walks through (see expand)."""

from coach.plan.expand import expand
from coach.plan.steps import Plan, Step

__all__ = ["Plan", "Step", "expand"]
