"""Publishers: the local portal (default) and CKAN, behind one small protocol."""
