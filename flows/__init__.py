"""Prefect flows and their thin tasks: they orchestrate the stages and do no work of their own."""
