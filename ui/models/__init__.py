"""Qt item models over app/ queries: they page, they never load a whole table."""
