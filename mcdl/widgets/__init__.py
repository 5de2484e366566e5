"""Widgets: each is a pure state function (tested without a browser) plus a thin ipywidgets view."""
