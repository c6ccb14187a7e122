"""Improvement Board: entry point. Builds the navigation; each page lives in pages/."""

from lib.ui.setup import run_app

run_app()
