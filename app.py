"""Improvement Board: entry point. Builds the navigation; each page lives in pages/."""

from lib.ui import run_app

run_app()
