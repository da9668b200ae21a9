"""Users, roles, permissions and sessions: services check permissions here, never only in the UI."""
