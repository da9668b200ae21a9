"""Contacts, organisations, deals, pipelines, activities, notes, tags, search, import and export."""
