"""JSON Schemas (draft 2020-12) of satudata's custom OpenLineage facets; each facet's ``_schemaURL`` names one."""
