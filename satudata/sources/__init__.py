"""Sources: pull raw exports and read them through declared options into a staged table."""
