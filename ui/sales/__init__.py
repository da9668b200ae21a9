"""Widgets, dialogs and models for the sales pages (pipeline, activities, dashboard)."""
