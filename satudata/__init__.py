"""satudata: Kota Malang's Satu Data publishing pipeline."""

__version__ = "0.1.0"
