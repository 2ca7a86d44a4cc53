"""The core every stage shares and nothing else: the catalogue's models, the run settings, the records that cross
from one stage to the next (exports, output files, fingerprints, published versions, problems), checksums and
memory. Core imports no stage; stages meet only here."""
