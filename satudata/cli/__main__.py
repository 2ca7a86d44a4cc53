"""``python -m satudata.cli``: the same as the ``satudata`` command."""

from satudata.cli import main

main()
